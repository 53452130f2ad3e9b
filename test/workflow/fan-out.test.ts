// The fan-out (docs/adr/0005-fleet-fan-out.md) through the local runner: small fleets with a small slice size,
// so that several Distributed Map children clone and tear down, each with its own history.
import { describe, expect, it } from 'vitest';
import { HISTORY_EVENTS_QUOTA, MAX_PAYLOAD_BYTES } from '../../local/runner/history.js';
import { request, summaryOf, useSimulator } from './helpers.js';

const SMALL_SLICES = { defaults: { sliceSize: 2 } };

describe('fan-out over child executions', { timeout: 120_000 }, () => {
  const t = useSimulator();

  it('never runs more clones at once than maxConcurrency across children', async () => {
    const result = await t.run(
      request({ sources: [{ source: 'linux', count: 6 }], maxConcurrency: 3, leaseMinutes: 0 }),
      SMALL_SLICES,
    );
    expect(result.status, result.cause).toBe('SUCCEEDED');
    // the first test of this simulator: its high-water mark is this run's
    const peak = t.sim.stats().maxConcurrent.InstantClone_Task ?? 0;
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('5 clones in slices of 2: three clone children, three teardown children, all ready, all removed', async () => {
    const result = await t.run(
      request({ sources: [{ source: 'linux', count: 5 }], maxConcurrency: 4 }),
      SMALL_SLICES,
    );
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(summaryOf(result)).toMatchObject({ ready: 5, failed: 0, lease: 'released' });
    expect(summaryOf(result).clones.map((c) => c.name)).toEqual([
      expect.stringMatching(/-01$/),
      expect.stringMatching(/-02$/),
      expect.stringMatching(/-03$/),
      expect.stringMatching(/-04$/),
      expect.stringMatching(/-05$/),
    ]);
    const children = result.executions.filter((x) => x.kind === 'child');
    expect(children.map((x) => x.name.split(':').slice(-2).join(':')).sort()).toEqual([
      'CloneFleet:0',
      'CloneFleet:1',
      'CloneFleet:2',
      'TeardownFleet:0',
      'TeardownFleet:1',
      'TeardownFleet:2',
    ]);
    for (const x of result.executions) {
      expect(x.status).toBe('SUCCEEDED');
      expect(x.historyEvents).toBeGreaterThan(10);
      expect(x.historyEvents).toBeLessThan(HISTORY_EVENTS_QUOTA);
      expect(x.maxPayloadBytes).toBeLessThan(MAX_PAYLOAD_BYTES);
    }
    // the parent's history does not grow with the fleet: its Maps are Distributed
    const parent = result.executions.find((x) => x.kind === 'parent');
    const clone0 = children.find((x) => x.name.endsWith('CloneFleet:0'));
    expect(parent?.historyEvents).toBeLessThan(60);
    expect(clone0?.historyEvents).toBeGreaterThan(2 * 20);
  });

  it('a child that fails after its clones exist: the run fails and every planned clone is torn down', async () => {
    let crashed = 0;
    // at 2 at once, slices of 2 in one child at a time take fewer waves than slices of 1 side by side
    const result = await t.run(request({ sources: [{ source: 'linux', count: 5 }], maxConcurrency: 2 }), {
      ...SMALL_SLICES,
      taskHook: ({ state, phase, payload }) => {
        const names = JSON.stringify(payload);
        if (state === 'SummarizeSlice' && phase === 'before' && names.includes('-03"') && crashed++ === 0)
          throw new Error('simulated crash of the child');
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.ExceedToleratedFailureThreshold');
    const failedChild = result.executions.find((x) => x.kind === 'child' && x.status === 'FAILED');
    expect(failedChild?.name).toMatch(/CloneFleet:1$/);
    // teardown ran in its own children over every slice; useSimulator checks that no clone is left
    expect(result.executions.filter((x) => x.name.includes('TeardownFleet'))).toHaveLength(3);
    expect(result.putEvents.map((e) => e.state)).toEqual(['PublishRunFailed']);
  });

  it('a request beyond the payload budget fails with InvalidRequest naming the quota, creating nothing', async () => {
    const before = t.sim.stats().calls.InstantClone_Task ?? 0;
    const result = await t.run(request({ sources: [{ source: 'linux', count: 3000 }] }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toMatch(/256 KiB per state/);
    expect(t.sim.stats().calls.InstantClone_Task ?? 0).toBe(before);
  });
});
