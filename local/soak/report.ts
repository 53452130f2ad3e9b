// The soak's terminal output: one progress line, then a table with one row per invariant.
import { INVARIANT_NAMES, INVARIANTS } from './invariants.js';
import type { RunOutcome } from './run-scenario.js';
import type { SoakResult } from './soak.js';

const FIRST_SEEDS = 10;

export function progressLine(outcome: RunOutcome, done: number, total: number, brokenRuns: number): string {
  const broke = [...new Set(outcome.violations.map((v) => v.invariant))].join(',');
  const status = outcome.error ? `${outcome.status} ${outcome.error}` : outcome.status;
  return `[${String(done).padStart(String(total).length)}/${total}] seed ${outcome.seed} ${status} ${(
    outcome.wallMs / 1000
  ).toFixed(1)} s${broke ? ` BROKE ${broke}` : ''} · runs broken so far: ${brokenRuns}`;
}

export function formatSummary(result: SoakResult): string {
  const rows = INVARIANT_NAMES.map((name) => {
    const r = result.invariants[name];
    const seeds = r.seeds.slice(0, FIRST_SEEDS).join(', ') + (r.seeds.length > FIRST_SEEDS ? ', …' : '');
    return [INVARIANTS[name], String(r.broken), seeds || '-'];
  });
  const head = ['invariant', 'runs broken', 'first seeds (replay: --seed S --runs 1)'];
  const width = [0, 1].map((i) => Math.max(head[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) =>
    `${(r[0] ?? '').padEnd(width[0] ?? 0)}  ${(r[1] ?? '').padStart(width[1] ?? 0)}  ${r[2]}`;
  const outcomes = Object.entries(result.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
  const minutes = result.wallMs / 60_000;
  const keys = Object.keys(result.coverage);
  const missing = keys.filter((k) => !result.coverage[k]);
  return [
    line(head),
    ...rows.map(line),
    '',
    `outcomes: ${outcomes}`,
    `coverage: ${keys.length - missing.length}/${keys.length} fault kinds and fleet features${
      missing.length ? ` (not drawn: ${missing.join(', ')})` : ''
    }`,
    `${result.runs} runs (seeds ${seedRange(result.seeds)}) in ${minutes.toFixed(1)} min wall, ` +
      `${result.runsPerMinute} runs/min at concurrency ${result.concurrency}, time scale ${result.timeScale}`,
  ].join('\n');
}

/** The details of every broken run, for a replay with --verbose. */
export function formatDetails(result: SoakResult): string {
  return result.results
    .filter((r) => r.violations.length > 0)
    .map(
      (r) =>
        `seed ${r.seed} (${r.status}${r.error ? ` ${r.error}` : ''}):\n` +
        r.violations.map((v) => `  ${v.invariant}: ${v.detail}`).join('\n') +
        `\n  scenario: ${JSON.stringify({ request: r.scenario.request, lease: r.scenario.lease, faults: r.scenario.faults })}`,
    )
    .join('\n');
}

function seedRange(seeds: readonly number[]): string {
  const first = seeds[0];
  const consecutive = seeds.every((s, i) => s === (first ?? 0) + i);
  return consecutive && seeds.length > 1 ? `${first}..${seeds[seeds.length - 1]}` : seeds.join(', ');
}
