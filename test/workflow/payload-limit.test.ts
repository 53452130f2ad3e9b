// A fleet of 200 clones (the old per-run ceiling; the fan-out of ADR 0005 goes beyond) must keep every state's input and output within
// AWS's 256 KiB payload quota. aws-local-stepfunctions has no such quota; the local runner reports a run that
// crossed it as States.DataLimitExceeded, which AWS would raise (uncatchably) at that state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES } from '../../local/runner/run.js';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { expectCleanAfter, request, run, simulator, summaryOf } from './helpers.js';

const SCALE = 0.001;
const FLEET = { sources: [{ source: 'linux', count: 200 }], maxConcurrency: 100 };

function largestPayload(events: { state?: { name: string; input: unknown; output?: unknown } }[]) {
  let max = { state: '', bytes: 0 };
  for (const e of events) {
    for (const value of [e.state?.input, e.state?.output]) {
      if (value === undefined) continue;
      const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
      if (bytes > max.bytes) max = { state: e.state?.name ?? '', bytes };
    }
  }
  return max;
}

describe('200 clones stay within the 256 KiB state payload quota', { timeout: 400_000 }, () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await simulator({ timeScale: SCALE });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('all ready, with a smoke command and a lease', async () => {
    const result = await run(sim, request({ ...FLEET, smokeCommand: 'echo ok' }), { timeScale: SCALE });
    expect(result.error ?? null, result.cause).toBeNull();
    expect(result.status).toBe('SUCCEEDED');
    expect(summaryOf(result).ready).toBe(200);
    expect(largestPayload(result.events).bytes).toBeLessThan(MAX_PAYLOAD_BYTES);
    // EventBridge caps a PutEvents entry at 256 KB as well; Ready carries every clone.
    for (const e of result.putEvents) {
      expect(Buffer.byteLength(JSON.stringify(e.entries[0]), 'utf8'), e.state).toBeLessThan(
        MAX_PAYLOAD_BYTES,
      );
    }
    expectCleanAfter(sim, result);
  });

  it('all failed (each record carries its error) → teardown and the failure event', async () => {
    const result = await run(sim, request(FLEET), {
      timeScale: SCALE,
      guest: { linux: { username: 'root', password: 'not-the-password' } },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'GuestLoginFailed' });
    expect(summaryOf(result).failed).toBe(200);
    expect(largestPayload(result.events).bytes).toBeLessThan(MAX_PAYLOAD_BYTES);
    expectCleanAfter(sim, result);
  });

  it('long names: 200 clones fan out within every quota; a fleet the parent cannot hold is refused naming it', async () => {
    const long = {
      requesterId: `github.com/acme-corporation/platform-integration-tests/actions/runs/${'9'.repeat(40)}`,
      namePrefix: 'platform-integration-nightly-windows-x64',
      smokeCommand: `echo ${'ready-for-the-nightly-integration-suite '.repeat(40)}`,
      maxConcurrency: 100,
    };
    const refused = await run(sim, request({ ...long, sources: [{ source: 'linux', count: 3000 }] }), {
      timeScale: SCALE,
    });
    expect(refused).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(refused.cause).toContain("85% of Step Functions' 256 KiB per state");
    expectCleanAfter(sim, refused);

    // One execution could not hold 200 of these (the old ceiling was about 150); in slices each fits.
    const result = await run(sim, request({ ...long, sources: [{ source: 'linux', count: 200 }] }), {
      timeScale: SCALE,
    });
    expect(result.error ?? null, result.cause).toBeNull();
    expect(summaryOf(result).ready).toBe(200);
    for (const x of result.executions) expect(x.maxPayloadBytes, x.name).toBeLessThan(MAX_PAYLOAD_BYTES);
    expectCleanAfter(sim, result);
  });
});
