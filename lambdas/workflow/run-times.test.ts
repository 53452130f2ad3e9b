// The look plan from learned run times (pure: no simulator).
import { beforeEach, describe, expect, it } from 'vitest';
import { type LookProfile, runTimes } from './run-times.js';

const profile: LookProfile = {
  quantile: 0.5,
  denseFraction: 0.05,
  denseMinMs: 100,
  denseGrowth: 1,
  maxBackoffMs: 1_000,
  fewRunsMargin: 0.1,
};

describe('runTimes', () => {
  beforeEach(() => runTimes.forget());

  it('has no plan without data', () => {
    expect(runTimes.pollPlan('x', profile)).toBeUndefined();
    expect(runTimes.known('x')).toBe(false);
  });

  it('with few runs looks first a margin before the shortest, then densely', () => {
    runTimes.record('x', { endedMs: 4_000, exact: true });
    const plan = runTimes.pollPlan('x', profile);
    expect(plan?.(0, 0)).toBeCloseTo(3_600);
    expect(plan?.(0, 1_000)).toBeCloseTo(2_600); // the time already spent counts
    expect(plan?.(1, 3_600)).toBe(200); // 5 % of 4 s
  });

  it('with enough runs aims at the quantile, and backs off once a run outlasts every one seen', () => {
    for (const ms of [1_000, 2_000, 3_000, 4_000, 5_000]) runTimes.record('x', { endedMs: ms, exact: true });
    const plan = runTimes.pollPlan('x', profile);
    expect(plan?.(0, 0)).toBe(3_000);
    expect(plan?.(1, 3_000)).toBe(150);
    expect(plan?.(2, 3_150)).toBe(150);
    const late = [2, 3, 4, 5, 6, 7].map((i) => plan?.(i, 10_000) ?? 0);
    expect(late[0]).toBeGreaterThan(150);
    expect(Math.max(...late)).toBe(1_000);
  });

  it('spaces dense looks further apart by denseGrowth', () => {
    runTimes.record('x', { endedMs: 2_000, exact: true });
    const plan = runTimes.pollPlan('x', { ...profile, denseGrowth: 1.5, fewRunsMargin: 0 });
    expect([1, 2, 3].map((i) => plan?.(i, 2_000))).toEqual([100, 150, 225]);
  });

  it('records the middle between two looks, and a tenth less than a first look that found it over', () => {
    runTimes.record('a', { lastRunningMs: 900, endedMs: 1_100 });
    expect(runTimes.pollPlan('a', { ...profile, fewRunsMargin: 0 })?.(0, 0)).toBe(1_000);
    runTimes.record('b', { endedMs: 1_000 });
    expect(runTimes.pollPlan('b', { ...profile, fewRunsMargin: 0 })?.(0, 0)).toBe(900);
  });
});
