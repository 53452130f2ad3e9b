// The fault matrix: each case has its expected outcome, and afterwards no clone is left in the simulator and
// no secret appears in any state's input or output.
import { describe, expect, it } from 'vitest';
import {
  entered,
  expectCleanAfter,
  request,
  retried,
  run,
  simulator,
  summaryOf,
  useSimulator,
} from './helpers.js';

describe('workflow fault matrix', () => {
  const t = useSimulator();

  it.each([
    ['notFrozen', 'SourceNotFrozen', 'instantclone.freeze'],
    ['poweredOff', 'SourceNotFrozen', 'poweredOff'],
    ['missing', 'SourceNotFound', 'does not exist'],
  ])('source %s → %s before anything is created', async (source, error, hint) => {
    const result = await t.run(request({ sources: [{ source, count: 1 }] }));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(result.cause).toContain(hint);
    expect(entered(result, 'InstantClone')).toBe(0);
    expect(result.putEvents.map((e) => e.state)).toEqual(['PublishRunFailed']);
  });

  it('a bad request → InvalidRequest naming the field', async () => {
    const result = await t.run(request({ sources: [{ source: 'linux', count: 0 }] }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toContain('sources[0].count');
  });

  it('InsufficientResourcesFault → the clone and the run fail with HostCapacityExceeded', async () => {
    t.sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    const result = await t.run(request());
    expect(result).toMatchObject({ status: 'FAILED', error: 'HostCapacityExceeded' });
    expect(result.cause).toContain('0 of 1 clones ready');
    expect(summaryOf(result).clones[0]?.error?.name).toBe('HostCapacityExceeded');
  });

  it('GuestOperationsUnavailable a few times → recovered by the ASL retrier', async () => {
    t.sim.injectFault({ method: 'StartProgramInGuest', fault: 'GuestOperationsUnavailable', count: 3 });
    const result = await t.run(request());
    expect(result.status).toBe('SUCCEEDED');
    expect(retried(result, 'RefreshGuestNetwork')).toBe(3);
    expect(summaryOf(result).ready).toBe(1);
  });

  it('InvalidGuestLogin → GuestLoginFailed at once, no retries', async () => {
    const result = await t.run(request(), {
      guest: { linux: { username: 'root', password: 'not-the-password' } },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'GuestLoginFailed' });
    expect(summaryOf(result).clones[0]?.error?.name).toBe('GuestLoginFailed');
    // The run's cause quotes the clone's message: its advice appears once.
    expect(result.cause?.split('Check the username/password')).toHaveLength(2);
    expect(retried(result, 'RefreshGuestNetwork')).toBe(0);
    expect(t.sim.stats().calls.StartProgramInGuest ?? 0).toBeGreaterThan(0);
  });

  it('refresh script exits non-zero → GuestScriptFailed', async () => {
    const sources = {
      linux: { paths: [t.sim.sources.linux], os: 'linux' as const, refreshCommand: 'exit 3' },
    };
    const result = await t.run(request(), { sources });
    expect(result.status).toBe('FAILED');
    const error = summaryOf(result).clones[0]?.error;
    expect(error?.name).toBe('GuestScriptFailed');
    expect(error?.message).toContain('exited with 3');
  });

  it.each(['down', 'linkLocal'] as const)('DHCP %s → IpTimeout', async (mode) => {
    t.sim.setDhcp(mode);
    const result = await t.run(request({ ipTimeoutSeconds: 2 }));
    expect(result.status).toBe('FAILED');
    expect(summaryOf(result).clones[0]?.error?.name).toBe('IpTimeout');
  });

  it('session expired mid-run → the client logs in again and the run succeeds', async () => {
    const before = t.sim.stats().calls.Login ?? 0;
    const result = await t.run(request(), {
      taskHook: ({ state, phase }) => {
        if (state === 'ReconnectNic' && phase === 'before') t.sim.expireSessions();
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect((t.sim.stats().calls.Login ?? 0) - before).toBeGreaterThanOrEqual(1);
  });

  it('Lambda crash after the clone task finished → the retry finds and reuses the clone', async () => {
    const before = t.sim.stats().calls.InstantClone_Task ?? 0;
    const result = await t.run(request(), {
      taskHook: ({ state, phase, attempt }) => {
        if (state === 'InstantClone' && phase === 'after' && attempt === 1) {
          throw Object.assign(new Error('Process exited before completing request'), {
            name: 'Lambda.Unknown',
          });
        }
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect((t.sim.stats().calls.InstantClone_Task ?? 0) - before).toBe(1);
    expect(retried(result, 'InstantClone')).toBe(1);
  });

  it('DuplicateName with no clone of that name to reuse → CloneFailed naming the fault', async () => {
    t.sim.injectFault({ method: 'InstantClone_Task', fault: 'DuplicateName', count: 1 });
    const result = await t.run(request());
    expect(result).toMatchObject({ status: 'FAILED', error: 'CloneFailed' });
    const error = summaryOf(result).clones[0]?.error;
    expect(error?.name).toBe('CloneFailed');
    expect(error?.message).toContain('DuplicateName');
  });

  it('lease timeout → teardown all the same, reported as an expired lease', async () => {
    const result = await t.run(request({ leaseMinutes: 1 }), { release: 'never' });
    expect(result.status).toBe('SUCCEEDED');
    expect(summaryOf(result)).toMatchObject({ ready: 1, lease: 'expired' });
    expect(summaryOf(result).clones[0]?.teardown).toBe('destroyed');
  });

  it('partial fleet failure without minReady → the run fails, every clone is torn down', async () => {
    t.sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    const result = await t.run(request({ sources: [{ source: 'linux', count: 3 }], maxConcurrency: 1 }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'MinReadyNotMet' });
    expect(summaryOf(result)).toMatchObject({ ready: 2, failed: 1 });
  });

  it('partial fleet failure with minReady 2 → the run succeeds with the ready clones', async () => {
    t.sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    const result = await t.run(
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
