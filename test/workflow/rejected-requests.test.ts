// Every rejected input ends as InvalidRequest with a Run Failed event whose content comes from the workflow,
// never from the request, and with a bounded message: the InvalidRequest path is as solid as the happy path.
import { describe, expect, it } from 'vitest';
import type { JsonValue, LocalExecutionResult } from '../../local/runner/index.js';
import { MAX_PAYLOAD_BYTES } from '../../local/runner/run.js';
import { request, summaryOf, useSimulator } from './helpers.js';

function runFailedDetail(result: LocalExecutionResult): Record<string, unknown> {
  const entries = result.putEvents.filter((e) => e.state === 'PublishRunFailed');
  expect(entries).toHaveLength(1);
  const entry = entries[0]?.entries[0] as { Detail: unknown };
  return (typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : entry.Detail) as Record<
    string,
    unknown
  >;
}

function largestPayload(result: LocalExecutionResult): number {
  let max = 0;
  for (const e of result.events) {
    for (const value of [e.state?.input, e.state?.output]) {
      if (value !== undefined) max = Math.max(max, Buffer.byteLength(JSON.stringify(value), 'utf8'));
    }
  }
  return max;
}

describe('rejected requests', { timeout: 60_000 }, () => {
  const t = useSimulator();

  it('a double-encoded request (a JSON string) → InvalidRequest and a Run Failed event', async () => {
    const result = await t.run(JSON.stringify(request()));
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toContain('must be a JSON object');
    expect(result.cause).toContain('encoded twice');
    const detail = runFailedDetail(result);
    expect(detail.error).toMatchObject({ Error: 'InvalidRequest' });
    expect(detail.runId).toBeNull();
  });

  it.each([42, true, [request()]] as JsonValue[])(
    'input %j → InvalidRequest and a Run Failed event',
    async (input) => {
      const result = await t.run(input);
      expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
      expect(runFailedDetail(result).error).toMatchObject({ Error: 'InvalidRequest' });
    },
  );

  it('keys named like state fields cannot crash FinishRun or forge the Run Failed summary', async () => {
    const forged = {
      ...(request() as Record<string, JsonValue>),
      run: { runId: 'forged', requesterId: 'someone-else', minReady: 0 },
      fleet: [{ name: 'made-up', status: 'ready', ip: '10.6.6.6', host: 'evil' }],
      teardown: [{ name: 'made-up', outcome: 'destroyed' }],
      error: { Error: 'Nothing', Cause: 'forged' },
      release: {},
    };
    const result = await t.run(forged);
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    const detail = runFailedDetail(result);
    expect(JSON.stringify(detail)).not.toMatch(/forged|someone-else|made-up|10\.6\.6\.6|evil/);
    expect(summaryOf(result)).toMatchObject({ ready: 0, failed: 0, lease: 'none', clones: [] });
    expect(detail.summary).toMatchObject({ runId: null, requesterId: null, total: 0 });
    // A broken request also fails this way when its keys' shapes would crash FinishRun's input parsing.
    const crashing = await t.run({ ...forged, run: 'x', fleet: 7, teardown: [null] });
    expect(crashing).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    runFailedDetail(crashing);
  });

  it('a 70 KB request with thousands of unknown keys → a bounded message, every state within 256 KiB', async () => {
    const junk = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [`unknown-field-${i}-${'x'.repeat(10)}`, i]),
    );
    const input = { ...(request() as Record<string, JsonValue>), ...junk };
    expect(JSON.stringify(input).length).toBeGreaterThan(60_000);
    const result = await t.run(input);
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toContain('1999 more unknown fields');
    expect((result.cause ?? '').length).toBeLessThan(1_000);
    expect(largestPayload(result)).toBeLessThan(MAX_PAYLOAD_BYTES);
    // The request itself is the execution's input; no state after ValidateRequest carries it.
    const finish = result.events.find((e) => e.type === 'StateEntered' && e.state?.name === 'FinishRun');
    expect(JSON.stringify(finish?.state?.input).length).toBeLessThan(3_000);
    runFailedDetail(result);
  });

  it('a source with a 60 KB name is refused with a bounded message naming the field', async () => {
    const result = await t.run(request({ sources: [{ source: 'y'.repeat(60_000), count: 1 }] }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toContain('sources[0].source');
    expect((result.cause ?? '').length).toBeLessThan(1_000);
    runFailedDetail(result);
  });
});
