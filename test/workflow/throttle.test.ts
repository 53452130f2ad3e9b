// The vCenter-wide throttle across executions: concurrent runs from several requesters against one simulator
// share one permit table (dynalite) and never exceed the configured operations per kind; a permit left behind by
// a Lambda that died is taken over once its lease expires.
import { describe, expect, it } from 'vitest';
import { Throttle } from '../../lambdas/workflow/throttle.js';
import { expectCleanAfter, request, run, summaryOf, useSimulatorWithPermits } from './helpers.js';

const LIMITS = { clone: 2, reconfigure: 2, guest: 3, teardown: 2 };

describe('vCenter-wide throttle across concurrent runs', { timeout: 180_000 }, () => {
  const env = useSimulatorWithPermits();

  const options = () => ({
    permits: { endpoint: env.store.endpoint, tableName: env.store.tableName },
    throttle: { limits: LIMITS, waitSeconds: 60 },
    defaults: { sliceSize: 2 },
  });

  it('three requesters at once: every run succeeds and no kind ever exceeds its limit', async () => {
    const results = await Promise.all(
      ['team-a', 'team-b', 'team-c'].map((requesterId, i) =>
        run(
          env.sim,
          request({
            requesterId,
            namePrefix: `t${i}`,
            sources: [{ source: 'linux', count: 4 }],
            maxConcurrency: 4,
            leaseMinutes: 0,
          }),
          options(),
        ),
      ),
    );
    for (const r of results) {
      expect(r.status, r.cause).toBe('SUCCEEDED');
      expect(summaryOf(r).ready).toBe(4);
      expectCleanAfter(env.sim, r);
    }
    const peak = env.sim.stats().maxConcurrentByKind;
    expect(peak.clone).toBeLessThanOrEqual(LIMITS.clone);
    expect(peak.reconfigure).toBeLessThanOrEqual(LIMITS.reconfigure);
    expect(peak.guest).toBeLessThanOrEqual(LIMITS.guest);
    expect(peak.teardown).toBeLessThanOrEqual(LIMITS.teardown);
    // 12 clones wanted up to 12 at once: the throttle, not the requests, was the bound
    expect(peak.clone).toBeGreaterThan(0);
  });

  it('a permit held by a Lambda that died is not lost: the run waits for its lease to expire, then proceeds', async () => {
    const dead = new Throttle({
      client: env.store.client(),
      tableName: env.store.tableName,
      vcenter: new URL(env.sim.url).host,
      limits: { ...LIMITS, clone: 1 },
    });
    const leftBehind = await dead.acquire('clone', 1_500, 0); // never released
    const started = Date.now();
    const result = await run(env.sim, request({ leaseMinutes: 0 }), {
      ...options(),
      throttle: { limits: { ...LIMITS, clone: 1 }, waitSeconds: 60 },
    });
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(leftBehind.slot).toBe(0);
    expectCleanAfter(env.sim, result);
  });
});
