// Sessions that die and tasks that outlive the wait on them (issue 7, sections 1 and 2): every run ends, and
// no clone is left behind that the run did not report.
import { beforeEach, describe, expect, it } from 'vitest';
import { runTimes } from '../../lambdas/workflow/run-times.js';
import type { TaskHook } from '../../local/runner/index.js';
import { expectCleanAfter, request, run, simulator, summaryOf, useSimulator } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Without learned run times every wait is a property filter (WaitForUpdatesEx), which these tests hit; the
// reads that replace filters once times are learned have a test of their own below.
beforeEach(() => runTimes.forget());

describe('lost sessions and tasks that outlive their wait', () => {
  const t = useSimulator();

  it('a session lost in the middle of each wait (clone, reconnect, IP, teardown) → the run completes', async () => {
    const waits = new Set(['InstantClone', 'ReconnectNic', 'WaitForIp', 'TeardownClone']);
    const hit: string[] = [];
    const taskHook: TaskHook = ({ state, phase, attempt }) => {
      if (phase !== 'before' || attempt !== 1 || !waits.has(state)) return;
      hit.push(state);
      // The session dies right before the wait's first WaitForUpdatesEx, i.e. after its CreateFilter.
      t.sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'NotAuthenticated', count: 1 });
    };
    const logins = t.sim.stats().calls.Login ?? 0;
    const result = await t.run(request(), { taskHook });
    expect(result.status).toBe('SUCCEEDED');
    expect(hit).toEqual(['InstantClone', 'ReconnectNic', 'WaitForIp', 'TeardownClone']);
    expect(summaryOf(result).clones.map((c) => c.teardown)).toEqual(['destroyed']);
    expect((t.sim.stats().calls.Login ?? 0) - logins).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('with learned run times (reads, not filters): a session lost before each wait → the run completes', async () => {
    expect((await t.run(request())).status).toBe('SUCCEEDED');
    const waits = new Set(['InstantClone', 'ReconnectNic', 'RefreshGuestNetwork', 'TeardownClone']);
    const hit: string[] = [];
    const taskHook: TaskHook = ({ state, phase, attempt }) => {
      if (phase !== 'before' || attempt !== 1 || !waits.has(state)) return;
      hit.push(state);
      t.sim.injectFault({ method: 'RetrievePropertiesEx', fault: 'NotAuthenticated', count: 1 });
    };
    const filters = t.sim.stats().calls.CreateFilter ?? 0;
    const logins = t.sim.stats().calls.Login ?? 0;
    const result = await t.run(request(), { taskHook });
    expect(result.status).toBe('SUCCEEDED');
    expect(hit).toEqual([...waits]);
    expect(summaryOf(result).clones.map((c) => c.teardown)).toEqual(['destroyed']);
    expect((t.sim.stats().calls.Login ?? 0) - logins).toBeGreaterThanOrEqual(3);
    // Learned times replaced the filters of the clone, reconnect and teardown waits.
    expect((t.sim.stats().calls.CreateFilter ?? 0) - filters).toBeLessThan(4);
  }, 90_000);

  it('a fault in the clone wait while the task goes on → the clone is used, nothing leaks', async () => {
    const taskHook: TaskHook = ({ state, phase, attempt }) => {
      if (state === 'InstantClone' && phase === 'before' && attempt === 1)
        t.sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'SystemError', count: 1 });
    };
    const result = await t.run(request(), { taskHook });
    expect(result.status).toBe('SUCCEEDED');
    expect(summaryOf(result)).toMatchObject({ ready: 1, failed: 0 });
  }, 60_000);
});

describe('a clone that appears after its wait failed', () => {
  it('is found by name and marker once its task ends, and torn down', async () => {
    // 1/10 of real latencies: the clone task (≈ 430 ms) is still running when its wait has failed.
    const sim = await simulator({ timeScale: 0.1 });
    try {
      const taskHook: TaskHook = ({ state, phase, attempt }) => {
        if (state !== 'InstantClone' || phase !== 'before' || attempt !== 1) return;
        // The wait fails and so does reading the task: the handler cannot tell whether a clone is coming.
        sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'SystemError', count: 1 });
        sim.injectFault({ method: 'RetrievePropertiesEx', fault: 'SystemError', count: 1 });
      };
      const result = await run(sim, request(), { timeScale: 0.1, taskHook });
      expect(result).toMatchObject({ status: 'FAILED', error: 'CloneFailed' });
      expect(summaryOf(result).clones[0]).toMatchObject({ status: 'failed' });
      // DiscardFailedClone waited for the task, found the clone by name and marker and destroyed it.
      expect(sim.stats().calls).toMatchObject({ InstantClone_Task: 1, Destroy_Task: 1 });
      await sleep(1_000); // longer than the clone task: a clone it created after the run would show now
      expectCleanAfter(sim, result);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});

describe('a lease held while every session idles out', () => {
  it('release → every clone destroyed', async () => {
    // vCenter's idle timeout shortened to 1 simulated minute (0.6 s here); the lease is held for 2 s.
    const sim = await simulator({ sessionIdleTimeoutMs: 60_000 });
    try {
      const result = await run(sim, request({ sources: [{ source: 'linux', count: 3 }], leaseMinutes: 30 }), {
        release: { afterMs: 2_000 },
      });
      expect(result.status).toBe('SUCCEEDED');
      const summary = summaryOf(result);
      expect(summary.ready).toBe(3);
      expect(summary.clones.map((c) => c.teardown)).toEqual(['destroyed', 'destroyed', 'destroyed']);
      expectCleanAfter(sim, result);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
