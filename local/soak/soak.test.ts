// The CI soak: a few seeded runs, picked (npm run soak -- --cover --seed 1 --runs 2000) so that together they
// fire every fault kind and exercise every fleet feature, each checked against every invariant.
import { describe, expect, it } from 'vitest';
import { INVARIANT_NAMES } from './invariants.js';
import { coverageKeys, coverageOf, planScenario } from './scenario.js';
import { runSoak } from './soak.js';

const CI_SEEDS = [12, 14, 197, 340, 403, 543, 579, 821];

describe('CI soak', () => {
  it('its seeds cover every fault kind and fleet feature', () => {
    const coverage = coverageOf(CI_SEEDS.map(planScenario));
    const missing = coverageKeys().filter((k) => !coverage[k]);
    expect(missing, 'pick new seeds with npm run soak -- --cover --seed 1 --runs 2000').toEqual([]);
  });

  it('breaks no invariant', async () => {
    const result = await runSoak({
      seed: CI_SEEDS[0] ?? 0,
      seeds: CI_SEEDS,
      runs: CI_SEEDS.length,
      // one run at a time: the other test files share the machine
      concurrency: 1,
      timeScale: 0.01,
      // generous: the CI machine runs other test files at the same time; a hang waits far longer (a Lambda deadline)
      deadlineMs: 120_000,
    });
    expect(result.seeds).toEqual(CI_SEEDS);
    // Every hung run's clones were torn down by the soak before its simulator stopped.
    expect(result.results.flatMap((r) => r.clonesAfterCleanup)).toEqual([]);
    const broken = Object.fromEntries(
      INVARIANT_NAMES.map((name) => [name, result.invariants[name].details]).filter(
        ([, details]) => Object.keys(details as object).length > 0,
      ),
    );
    expect(broken).toEqual({});
  }, 900_000);
});
