// The per-requester quota (defaults.maxClonesHeld, read through maxClonesHeldFor): runs of one requester share
// one permit table (dynalite); a run that would exceed the quota fails with QuotaExceeded and creates nothing,
// or waits a bounded time for clones to be given back.
import { describe, expect, it } from 'vitest';
import { expectCleanAfter, request, run, summaryOf, useSimulatorWithPermits } from './helpers.js';

describe('per-requester quota: maxClonesHeld', { timeout: 180_000 }, () => {
  const env = useSimulatorWithPermits();

  const options = (quotaWaitSeconds: number) => ({
    permits: { endpoint: env.store.endpoint, tableName: env.store.tableName },
    defaults: { maxClonesHeld: 3, quotaWaitSeconds },
  });
  const clonesNamed = (prefix: string) =>
    env.sim.inventory().filter((vm) => vm.name.startsWith(`${prefix}-`)).length;

  /** A run of two clones that stays Ready (holding them) until `release` is called. */
  const holdTwo = (requesterId: string, namePrefix: string) => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let heldReady!: () => void;
    const readyNow = new Promise<void>((r) => {
      heldReady = r;
    });
    const result = run(
      env.sim,
      request({ requesterId, namePrefix, sources: [{ source: 'linux', count: 2 }] }),
      {
        ...options(0),
        release: held.then(() => ({ releasedBy: 'test' })),
        onEvent: (e) => {
          if (e.kind === 'putEvents' && e.event.state === 'Ready') heldReady();
        },
      },
    );
    return { result, readyNow, release };
  };

  it('a second run over the quota fails with QuotaExceeded and creates nothing; the first is unaffected', async () => {
    const { result: first, readyNow, release } = holdTwo('team-q', 'qa');
    await readyNow; // team-q now holds 2 of its 3
    const before = env.sim.stats().calls.InstantClone_Task ?? 0;
    const second = await run(
      env.sim,
      request({ requesterId: 'team-q', namePrefix: 'qb', sources: [{ source: 'linux', count: 2 }] }),
      options(0),
    );
    expect(second).toMatchObject({ status: 'FAILED', error: 'QuotaExceeded' });
    expect(second.cause).toMatch(/holds 2 clones .* quota of 3/);
    expect(env.sim.stats().calls.InstantClone_Task ?? 0).toBe(before);
    expect(clonesNamed('qb')).toBe(0);
    // another requester is not affected by team-q's quota
    const other = await run(
      env.sim,
      request({
        requesterId: 'team-r',
        namePrefix: 'qr',
        sources: [{ source: 'linux', count: 3 }],
        leaseMinutes: 0,
      }),
      options(0),
    );
    expect(other.status, other.cause).toBe('SUCCEEDED');
    release();
    const firstResult = await first;
    expect(firstResult.status, firstResult.cause).toBe('SUCCEEDED');
    expect(summaryOf(firstResult).ready).toBe(2);
    expectCleanAfter(env.sim, firstResult);
  });

  it('a run over the quota waits for the clones to be given back, then runs', async () => {
    const { result: first, readyNow, release } = holdTwo('team-w', 'wa');
    await readyNow;
    const second = run(
      env.sim,
      request({
        requesterId: 'team-w',
        namePrefix: 'wb',
        sources: [{ source: 'linux', count: 2 }],
        leaseMinutes: 0,
      }),
      options(120),
    );
    setTimeout(release, 1_500);
    const [a, b] = await Promise.all([first, second]);
    expect(a.status, a.cause).toBe('SUCCEEDED');
    expect(b.status, b.cause).toBe('SUCCEEDED');
    expect(summaryOf(b).ready).toBe(2);
    expectCleanAfter(env.sim, b);
  });

  it('a run larger than the quota itself is refused at once', async () => {
    const result = await run(
      env.sim,
      request({ requesterId: 'team-z', namePrefix: 'qz', sources: [{ source: 'linux', count: 4 }] }),
      options(60),
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'QuotaExceeded' });
    expect(clonesNamed('qz')).toBe(0);
  });
});
