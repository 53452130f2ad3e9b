// npm run soak -- --runs N --seed S [--concurrency K] [--time-scale X] [--run-timeout SECONDS] [--json FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDetails, formatSummary, progressLine } from './report.js';
import { coveringSeeds, planScenario, seedsOf } from './scenario.js';
import { brokenInvariants, runSoak } from './soak.js';

const USAGE = `Randomized fault soak of the local runner against fresh simulators.

  npm run soak -- --runs 50 --seed 1000 [--concurrency 2] [--json out/soak.json]

  --runs N            how many runs (default 20); run i has seed S+i
  --seed S            first seed (default: from the clock, printed)
  --seeds A,B,C       run exactly these seeds (e.g. the CI soak's) instead of --seed/--runs
  --concurrency K     runs at once, each in its own worker process (default 1)
  --time-scale X      simulator latencies, Retry pauses and the lease timeout × X (default 0.01)
  --run-timeout SECS  wall-clock deadline per run; past it the run counts as hung (default 60)
  --json FILE         write the full result (every run, its scenario and violations)
  --plan              print the scenarios of the seeds and exit, running nothing
  --cover             print a small set of seeds among the N from S that covers every fault kind and
                      fleet feature (how the CI soak's seeds were picked), and exit
  --verbose           the details of every broken run, and the handlers' logs`;

function number(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number ≥ ${min}, got '${value}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      concurrency: { type: 'string' },
      'time-scale': { type: 'string' },
      'run-timeout': { type: 'string' },
      json: { type: 'string' },
      plan: { type: 'boolean' },
      cover: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const list = values.seeds?.split(',').map((s) => Math.floor(number(s.trim(), '--seeds', 0, 0)));
  const runs = list?.length ?? Math.floor(number(values.runs, '--runs', 20, 1));
  const seed = list?.[0] ?? Math.floor(number(values.seed, '--seed', Date.now() % 1_000_000, 0));
  const concurrency = Math.floor(number(values.concurrency, '--concurrency', 1, 1));
  const timeScale = number(values['time-scale'], '--time-scale', 0.01, 0.001);
  const deadlineMs = number(values['run-timeout'], '--run-timeout', 60, 1) * 1000;
  if (values.cover) {
    console.log(coveringSeeds(seed, runs).join(' '));
    return 0;
  }
  if (values.plan) {
    for (const s of list ?? seedsOf(seed, runs)) console.log(JSON.stringify(planScenario(s)));
    return 0;
  }
  console.log(
    `soak: ${runs} runs from seed ${seed}${list ? ` (seeds ${list.join(', ')})` : ''}, concurrency ${concurrency}, time scale ${timeScale}, deadline ${deadlineMs / 1000} s per run`,
  );
  const tty = process.stdout.isTTY && !values.verbose;
  let brokenRuns = 0;
  const result = await runSoak({
    runs,
    seed,
    ...(list ? { seeds: list } : {}),
    concurrency,
    timeScale,
    deadlineMs,
    verbose: values.verbose ?? false,
    onRun: (outcome, done, total) => {
      if (outcome.violations.length) brokenRuns++;
      const line = progressLine(outcome, done, total, brokenRuns);
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      else console.log(line);
    },
  });
  if (tty) process.stdout.write('\n');
  if (values.verbose) console.log(formatDetails(result));
  console.log(formatSummary(result));
  if (values.json) {
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
  return brokenInvariants(result).length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    process.exitCode = 2;
  },
);
