// The per-requester quota (defaults.maxClonesHeld, read through maxClonesHeldFor): runs of one requester share
// one permit table (dynalite); a run that would exceed the quota fails with QuotaExceeded and creates nothing,
// or waits a bounded time for clones to be given back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PermitStore, startPermitStore } from '../../local/runner/permit-store.js';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { expectCleanAfter, request, run, simulator, summaryOf } from './helpers.js';

describe('per-requester quota: maxClonesHeld', { timeout: 180_000 }, () => {
  let sim: RunningSimulator;
  let store: PermitStore;
  beforeAll(async () => {
    sim = await simulator();
    store = await startPermitStore();
  });
  afterAll(async () => {
    await store.stop();
    await sim.stop();
  });

  const options = (quotaWaitSeconds: number) => ({
    permits: { endpoint: store.endpoint, tableName: store.tableName },
    defaults: { maxClonesHeld: 3, quotaWaitSeconds },
  });
  const clonesNamed = (prefix: string) =>
    sim.inventory().filter((vm) => vm.name.startsWith(`${prefix}-`)).length;

  it('a second run over the quota fails with QuotaExceeded and creates nothing; the first is unaffected', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let heldReady!: () => void;
    const readyNow = new Promise<void>((r) => {
      heldReady = r;
    });
    const first = run(
      sim,
      request({ requesterId: 'team-q', namePrefix: 'qa', sources: [{ source: 'linux', count: 2 }] }),
      {
        ...options(0),
        release: held.then(() => ({ releasedBy: 'test' })),
        onEvent: (e) => {
          if (e.kind === 'putEvents' && e.event.state === 'Ready') heldReady();
        },
      },
    );
    await readyNow; // team-q now holds 2 of its 3
    const before = sim.stats().calls.InstantClone_Task ?? 0;
    const second = await run(
      sim,
      request({ requesterId: 'team-q', namePrefix: 'qb', sources: [{ source: 'linux', count: 2 }] }),
      options(0),
    );
    expect(second).toMatchObject({ status: 'FAILED', error: 'QuotaExceeded' });
    expect(second.cause).toMatch(/holds 2 clones .* quota of 3/);
    expect(sim.stats().calls.InstantClone_Task ?? 0).toBe(before);
    expect(clonesNamed('qb')).toBe(0);
    // another requester is not affected by team-q's quota
    const other = await run(
      sim,
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
    expectCleanAfter(sim, firstResult);
  });

  it('a run over the quota waits for the clones to be given back, then runs', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let heldReady!: () => void;
    const readyNow = new Promise<void>((r) => {
      heldReady = r;
    });
    const first = run(
      sim,
      request({ requesterId: 'team-w', namePrefix: 'wa', sources: [{ source: 'linux', count: 2 }] }),
      {
        ...options(0),
        release: held.then(() => ({ releasedBy: 'test' })),
        onEvent: (e) => {
          if (e.kind === 'putEvents' && e.event.state === 'Ready') heldReady();
        },
      },
    );
    await readyNow;
    const second = run(
      sim,
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
    expectCleanAfter(sim, b);
  });

  it('a run larger than the quota itself is refused at once', async () => {
    const result = await run(
      sim,
      request({ requesterId: 'team-z', namePrefix: 'qz', sources: [{ source: 'linux', count: 4 }] }),
      options(60),
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'QuotaExceeded' });
    expect(clonesNamed('qz')).toBe(0);
  });
});
