// Learned run times through the local runner (ADR 0009): a deployment's first run is cold (filters), its runs
// write their times to the permit table, and a new container of that deployment loads them and waits by reads.
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { runTimes } from '../../lambdas/workflow/run-times.js';
import { expectCleanAfter, request, run, useSimulatorWithPermits } from './helpers.js';

afterEach(() => runTimes.forget());

describe('learned run times across containers', () => {
  const t = useSimulatorWithPermits();
  const callsDuring = async (fn: () => Promise<void>) => {
    const before = { ...t.sim.stats().calls };
    await fn();
    return Object.fromEntries(
      Object.entries(t.sim.stats().calls).map(([m, n]) => [m, n - (before[m] ?? 0)] as const),
    );
  };
  const oneClone = async () => {
    const result = await run(t.sim, request(), { permits: t.store });
    expect(result.status).toBe('SUCCEEDED');
    expectCleanAfter(t.sim, result);
  };

  it('a new container of a deployment that has run waits by reads, not by a filter per task', async () => {
    // The deployment's first clone, in a new container: nothing learned, nothing stored.
    runTimes.forget();
    const cold = await callsDuring(oneClone);
    expect(cold.CreateFilter).toBeGreaterThanOrEqual(3);

    // What it learned is in the table, under the run-time partition only.
    const stored = await t.store.client().send(
      new QueryCommand({
        TableName: t.store.tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'runtimes#127.0.0.1' } },
      }),
    );
    const kinds = (stored.Items ?? []).map((i) => i.sk?.S).sort();
    expect(kinds).toEqual(
      expect.arrayContaining(['reconnect:linux', 'task:destroy', 'task:instantClone:linux', 'task:powerOff']),
    );

    // A new container (nothing in memory) of the same deployment: it loads them and reads instead of watching.
    runTimes.forget();
    const withData = await callsDuring(oneClone);
    expect(withData.CreateFilter ?? 0).toBeLessThan(cold.CreateFilter ?? 0);
    expect(withData.WaitForUpdatesEx ?? 0).toBeLessThan(cold.WaitForUpdatesEx ?? 0);
  }, 120_000);
});
