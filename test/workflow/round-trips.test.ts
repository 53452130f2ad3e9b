// SOAP round trips per state of a one-clone run, counted by the simulator around each Task invocation (one clone:
// no two vCenter-calling states overlap). Without learned run times every task wait is a property filter, so the
// RetrievePropertiesEx and FindByInventoryPath calls left are the fixed ones, asserted exactly; a retry and a
// name that is taken still search by name and reuse the run's clone (ADR 0002, ADR 0007).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MARKER_DEPLOYMENT, MARKER_LEASE_EXPIRES, MARKER_RUN } from '../../lambdas/workflow/naming.js';
import { runTimes } from '../../lambdas/workflow/run-times.js';
import { sourceRefs } from '../../lambdas/workflow/source-refs.js';
import type { TaskHook } from '../../local/runner/index.js';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { expectCleanAfter, request, retried, run, simulator } from './helpers.js';

type Calls = Record<string, number>;
interface Invocation {
  state: string;
  attempt: number;
  calls: Calls;
  result?: unknown;
}

/** A task hook that records each invocation's SOAP calls by method (the simulator's counts after − before). */
function countPerInvocation(sim: RunningSimulator, also?: TaskHook): { hook: TaskHook; seen: Invocation[] } {
  const seen: Invocation[] = [];
  let before: Calls = {};
  const hook: TaskHook = async (call) => {
    await also?.(call);
    const now = sim.stats().calls;
    if (call.phase === 'before') before = { ...now };
    else {
      const calls: Calls = {};
      for (const [method, n] of Object.entries(now))
        if (n > (before[method] ?? 0)) calls[method] = n - (before[method] ?? 0);
      seen.push({ state: call.state, attempt: call.attempt, calls, result: call.result });
    }
  };
  return { hook, seen };
}

const of = (seen: Invocation[], state: string, attempt = 1): Calls =>
  seen.find((i) => i.state === state && i.attempt === attempt)?.calls ?? {};

let sim: RunningSimulator;
beforeEach(async () => {
  runTimes.forget();
  sourceRefs.forget();
  sim = await simulator();
});
afterEach(() => sim.stop());

describe('round trips of one clone', () => {
  it('fixed calls per state: no search before a first InstantClone, its MAC read with the reconnect, one read for the teardown (marker, power state, source tasks)', async () => {
    const { hook, seen } = countPerInvocation(sim);
    const result = await run(sim, request({ leaseMinutes: 0 }), { taskHook: hook });
    expect(result.status).toBe('SUCCEEDED');
    expectCleanAfter(sim, result);
    // The two frozen Linux VMs (one per host) found by path, read with their hosts in one call.
    expect(of(seen, 'VerifySourceFrozen')).toMatchObject({ FindByInventoryPath: 2, RetrievePropertiesEx: 1 });
    // A first attempt clones at once, and reads nothing but its task: the MAC comes with the reconnect's end.
    expect(of(seen, 'InstantClone').FindByInventoryPath).toBeUndefined();
    expect(of(seen, 'InstantClone').RetrievePropertiesEx).toBeUndefined();
    expect(of(seen, 'InstantClone')).toMatchObject({ InstantClone_Task: 1 });
    expect(of(seen, 'ReconnectNic')).toMatchObject({ ReconfigVM_Task: 1 });
    expect(of(seen, 'ReconnectNic').RetrievePropertiesEx).toBeUndefined();
    const reconnected = seen.find((i) => i.state === 'ReconnectNic')?.result as {
      created?: { mac?: unknown };
    };
    expect(reconnected.created?.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // The fleet teardown has no moref: the source's moref comes with the run's placement, the clone is found by
    // name and read with its marker, its power state and the source's InstantClone tasks in one call.
    expect(of(seen, 'TeardownClone')).toMatchObject({
      FindByInventoryPath: 1,
      RetrievePropertiesEx: 1,
      PowerOffVM_Task: 1,
      Destroy_Task: 1,
    });
  }, 60_000);

  it('a requested folder is looked up once, by VerifySourceFrozen, not by each clone', async () => {
    const { hook, seen } = countPerInvocation(sim);
    const folder = `/${sim.sources.linux.replace(/^\/+/, '').split('/').slice(0, -1).join('/')}`;
    const result = await run(sim, request({ leaseMinutes: 0, folder }), { taskHook: hook });
    expect(result.status).toBe('SUCCEEDED');
    expect(of(seen, 'VerifySourceFrozen')).toMatchObject({ FindByInventoryPath: 3 });
    expect(of(seen, 'InstantClone').FindByInventoryPath).toBeUndefined();
    expect(sim.clones()).toHaveLength(0);
    expectCleanAfter(sim, result);
  }, 60_000);

  it('a retried InstantClone searches by name and reuses the clone its first attempt made', async () => {
    const crash: TaskHook = ({ state, phase, attempt }) => {
      if (state === 'InstantClone' && phase === 'after' && attempt === 1)
        throw Object.assign(new Error('Process exited before completing request'), {
          name: 'Lambda.Unknown',
        });
    };
    const { hook, seen } = countPerInvocation(sim, crash);
    const result = await run(sim, request({ leaseMinutes: 0 }), { taskHook: hook });
    expect(result.status).toBe('SUCCEEDED');
    expect(retried(result, 'InstantClone')).toBe(1);
    expect(sim.stats().calls.InstantClone_Task).toBe(1);
    expect(of(seen, 'InstantClone', 1).FindByInventoryPath).toBeUndefined();
    // The retry: found by path, its marker read, no second InstantClone_Task.
    expect(of(seen, 'InstantClone', 2)).toMatchObject({ FindByInventoryPath: 1 });
    expect(of(seen, 'InstantClone', 2).InstantClone_Task).toBeUndefined();
    expectCleanAfter(sim, result);
  }, 60_000);

  it("a first attempt whose name is taken by this run's clone (DuplicateName) reuses that clone", async () => {
    let planted: { type: string; value: string } | undefined;
    const takeName: TaskHook = ({ state, phase, attempt, payload }) => {
      if (state !== 'InstantClone' || phase !== 'before' || attempt !== 1) return;
      const { run: r, clone } = payload as { run: { runId: string }; clone: { name: string } };
      planted = sim.plantVm({
        name: clone.name,
        folder: 'templates',
        extraConfig: {
          [MARKER_RUN]: r.runId,
          [MARKER_DEPLOYMENT]: 'local',
          [MARKER_LEASE_EXPIRES]: new Date(Date.now() + 3_600_000).toISOString(),
        },
      }).moref;
    };
    const { hook, seen } = countPerInvocation(sim, takeName);
    const result = await run(sim, request({ leaseMinutes: 0 }), { taskHook: hook });
    const instantClone = seen.find((i) => i.state === 'InstantClone');
    // One InstantClone_Task, refused with DuplicateName; then the search found the run's clone.
    expect(instantClone?.calls).toMatchObject({ InstantClone_Task: 1, FindByInventoryPath: 1 });
    expect((instantClone?.result as { moref?: unknown } | undefined)?.moref).toEqual(planted);
    expectCleanAfter(sim, result);
  }, 60_000);

  it('the fleet teardown plans each clone on the source VM VerifySourceFrozen placed it on, with its moref', async () => {
    // The second host has more free memory: the one clone goes to the second Linux VM, where a round-robin plan
    // (the teardown's plan before it knew the placement) would look for it on the first.
    const roomier = await simulator({
      hosts: [
        { memoryMB: 51_200, baseUsageMB: 13_312 },
        { memoryMB: 102_400, baseUsageMB: 10_240 },
      ],
    });
    try {
      const teardowns: { sourcePath?: string; sourceRef?: { value: string } }[] = [];
      const { hook, seen } = countPerInvocation(roomier, ({ state, phase, payload }) => {
        if (state === 'TeardownClone' && phase === 'before')
          teardowns.push((payload as { clone: (typeof teardowns)[number] }).clone);
      });
      const result = await run(roomier, request({ leaseMinutes: 0 }), { taskHook: hook });
      expect(result.status).toBe('SUCCEEDED');
      const linux2 = roomier.inventory().find((v) => v.name === 'ic-src-linux2');
      expect(teardowns).toEqual([
        expect.objectContaining({ sourcePath: roomier.sources.linux2, sourceRef: linux2?.moref }),
      ]);
      expect(of(seen, 'TeardownClone')).toMatchObject({ FindByInventoryPath: 1, Destroy_Task: 1 });
      expectCleanAfter(roomier, result);
    } finally {
      await roomier.stop();
    }
  }, 60_000);
});

describe('a warm VerifySourceFrozen', () => {
  it('reads the source VMs by the morefs it remembers, and looks their paths up again when one is gone', async () => {
    const first = await run(sim, request({ leaseMinutes: 0 }));
    expect(first.status).toBe('SUCCEEDED');
    expectCleanAfter(sim, first);

    const warm = countPerInvocation(sim);
    const second = await run(sim, request({ leaseMinutes: 0 }), { taskHook: warm.hook });
    expect(second.status).toBe('SUCCEEDED');
    expectCleanAfter(sim, second);
    expect(of(warm.seen, 'VerifySourceFrozen').FindByInventoryPath).toBeUndefined();
    expect(of(warm.seen, 'VerifySourceFrozen')).toMatchObject({ RetrievePropertiesEx: 1 });

    // The read of the remembered morefs fails as for a VM destroyed since: both paths are looked up again.
    sim.injectFault({ method: 'RetrievePropertiesEx', fault: 'ManagedObjectNotFound', count: 1 });
    const gone = countPerInvocation(sim);
    const third = await run(sim, request({ leaseMinutes: 0 }), { taskHook: gone.hook });
    expect(third.status).toBe('SUCCEEDED');
    expectCleanAfter(sim, third);
    expect(of(gone.seen, 'VerifySourceFrozen')).toMatchObject({
      FindByInventoryPath: 2,
      RetrievePropertiesEx: 2,
    });
  });
});
