// The fault matrix: each case has its expected outcome, and afterwards no clone is left in the simulator and
// no secret appears in any state's input or output.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalExecutionResult } from '../../local/runner/index.js';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { entered, expectCleanAfter, request, retried, run, simulator, summaryOf } from './helpers.js';

describe('workflow fault matrix', () => {
  let sim: RunningSimulator;
  let result: LocalExecutionResult | undefined;
  beforeAll(async () => {
    sim = await simulator();
  });
  afterEach(() => {
    if (result) expectCleanAfter(sim, result);
    result = undefined;
    sim.clearFaults();
    sim.setDhcp('up');
  });
  afterAll(() => sim.stop());

  it.each([
    ['notFrozen', 'SourceNotFrozen', 'instantclone.freeze'],
    ['poweredOff', 'SourceNotFrozen', 'poweredOff'],
    ['missing', 'SourceNotFound', 'does not exist'],
  ])('source %s → %s before anything is created', async (source, error, hint) => {
    result = await run(sim, request({ sources: [{ source, count: 1 }] }));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(result.cause).toContain(hint);
    expect(entered(result, 'InstantClone')).toBe(0);
    expect(result.putEvents.map((e) => e.state)).toEqual(['PublishRunFailed']);
  });

  it('a bad request → InvalidRequest naming the field', async () => {
    result = await run(sim, request({ sources: [{ source: 'linux', count: 0 }] }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toContain('sources[0].count');
  });

  it('InsufficientResourcesFault → the clone and the run fail with HostCapacityExceeded', async () => {
    sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    result = await run(sim, request());
    expect(result).toMatchObject({ status: 'FAILED', error: 'HostCapacityExceeded' });
    expect(result.cause).toContain('0 of 1 clones ready');
    expect(summaryOf(result).clones[0]?.error?.name).toBe('HostCapacityExceeded');
  });

  it('GuestOperationsUnavailable a few times → recovered by the ASL retrier', async () => {
    sim.injectFault({ method: 'StartProgramInGuest', fault: 'GuestOperationsUnavailable', count: 3 });
    result = await run(sim, request());
    expect(result.status).toBe('SUCCEEDED');
    expect(retried(result, 'RefreshGuestNetwork')).toBe(3);
    expect(summaryOf(result).ready).toBe(1);
  });

  it('InvalidGuestLogin → GuestLoginFailed at once, no retries', async () => {
    result = await run(sim, request(), {
      guest: { linux: { username: 'root', password: 'not-the-password' } },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'GuestLoginFailed' });
    expect(summaryOf(result).clones[0]?.error?.name).toBe('GuestLoginFailed');
    expect(retried(result, 'RefreshGuestNetwork')).toBe(0);
    expect(sim.stats().calls.StartProgramInGuest ?? 0).toBeGreaterThan(0);
  });

  it('refresh script exits non-zero → GuestScriptFailed', async () => {
    const sources = { linux: { paths: [sim.sources.linux], os: 'linux' as const, refreshCommand: 'exit 3' } };
    result = await run(sim, request(), { sources });
    expect(result.status).toBe('FAILED');
    const error = summaryOf(result).clones[0]?.error;
    expect(error?.name).toBe('GuestScriptFailed');
    expect(error?.message).toContain('exited with 3');
  });

  it.each(['down', 'linkLocal'] as const)('DHCP %s → IpTimeout', async (mode) => {
    sim.setDhcp(mode);
    result = await run(sim, request({ ipTimeoutSeconds: 2 }));
    expect(result.status).toBe('FAILED');
    expect(summaryOf(result).clones[0]?.error?.name).toBe('IpTimeout');
  });

  it('session expired mid-run → the client logs in again and the run succeeds', async () => {
    const before = sim.stats().calls.Login ?? 0;
    result = await run(sim, request(), {
      taskHook: ({ state, phase }) => {
        if (state === 'ReconnectNic' && phase === 'before') sim.expireSessions();
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect((sim.stats().calls.Login ?? 0) - before).toBeGreaterThanOrEqual(1);
  });

  it('Lambda crash after the clone task finished → the retry finds and reuses the clone', async () => {
    const before = sim.stats().calls.InstantClone_Task ?? 0;
    result = await run(sim, request(), {
      taskHook: ({ state, phase, attempt }) => {
        if (state === 'InstantClone' && phase === 'after' && attempt === 1) {
          throw Object.assign(new Error('Process exited before completing request'), {
            name: 'Lambda.Unknown',
          });
        }
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect((sim.stats().calls.InstantClone_Task ?? 0) - before).toBe(1);
    expect(retried(result, 'InstantClone')).toBe(1);
  });

  it('DuplicateName with no clone of that name to reuse → CloneFailed naming the fault', async () => {
    sim.injectFault({ method: 'InstantClone_Task', fault: 'DuplicateName', count: 1 });
    result = await run(sim, request());
    expect(result).toMatchObject({ status: 'FAILED', error: 'CloneFailed' });
    const error = summaryOf(result).clones[0]?.error;
    expect(error?.name).toBe('CloneFailed');
    expect(error?.message).toContain('DuplicateName');
  });

  it('lease timeout → teardown all the same, reported as an expired lease', async () => {
    result = await run(sim, request({ leaseMinutes: 1 }), { release: 'never' });
    expect(result.status).toBe('SUCCEEDED');
    expect(summaryOf(result)).toMatchObject({ ready: 1, lease: 'expired' });
    expect(summaryOf(result).clones[0]?.teardown).toBe('destroyed');
  });

  it('partial fleet failure without minReady → the run fails, every clone is torn down', async () => {
    sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    result = await run(sim, request({ sources: [{ source: 'linux', count: 3 }], maxConcurrency: 1 }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'MinReadyNotMet' });
    expect(summaryOf(result)).toMatchObject({ ready: 2, failed: 1 });
  });

  it('partial fleet failure with minReady 2 → the run succeeds with the ready clones', async () => {
    sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    result = await run(
      sim,
      request({ sources: [{ source: 'linux', count: 3 }], maxConcurrency: 1, minReady: 2 }),
    );
    expect(result.status).toBe('SUCCEEDED');
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ ready: 2, failed: 1 });
    expect(summary.clones.filter((c) => c.status === 'failed')[0]?.error?.name).toBe('HostCapacityExceeded');
    const readyEvent = JSON.stringify(result.putEvents.find((e) => e.state === 'Ready')?.entries);
    expect(readyEvent).toContain('HostCapacityExceeded');
  });

  it('old vCenter → UnsupportedVersion', async () => {
    const old = await simulator({ vcenterVersion: '6.5.0' });
    try {
      const r = await run(old, request());
      expect(r).toMatchObject({ status: 'FAILED', error: 'UnsupportedVersion' });
      expect(r.cause).toContain('6.7');
      expectCleanAfter(old, r);
    } finally {
      await old.stop();
    }
  });

  it('old ESXi host → UnsupportedVersion', async () => {
    const old = await simulator({ hostVersion: '6.5.0' });
    try {
      const r = await run(old, request());
      expect(r).toMatchObject({ status: 'FAILED', error: 'UnsupportedVersion' });
      expect(r.cause).toContain('ESXi 6.5.0');
      expectCleanAfter(old, r);
    } finally {
      await old.stop();
    }
  });
});
