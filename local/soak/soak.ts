// runSoak: seeded scenarios run by a pool of worker processes, each run checked against the invariants.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { INVARIANT_NAMES, type InvariantName } from './invariants.js';
import type { RunOutcome, RunSettings } from './run-scenario.js';
import { coverageOf, planScenario, type Scenario, seedsOf } from './scenario.js';
import type { WorkerRequest } from './worker.js';

export interface SoakOptions extends RunSettings {
  runs: number;
  seed: number;
  /** run exactly these seeds instead of seed..seed+runs-1 */
  seeds?: readonly number[];
  concurrency: number;
  /** called after each run */
  onRun?: (outcome: RunOutcome, done: number, total: number) => void;
  /** pass the handlers' logs through (VERBOSE) */
  verbose?: boolean;
}

export interface InvariantResult {
  /** runs that broke it */
  broken: number;
  seeds: number[];
  /** first detail per seed */
  details: Record<number, string>;
}

export interface SoakResult {
  seed: number;
  runs: number;
  seeds: number[];
  concurrency: number;
  timeScale: number;
  deadlineMs: number;
  wallMs: number;
  runsPerMinute: number;
  invariants: Record<InvariantName, InvariantResult>;
  /** how many runs ended with each status/error */
  outcomes: Record<string, number>;
  coverage: Record<string, number>;
  results: (RunOutcome & { scenario: Scenario })[];
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** A worker that does not answer by then (deadline, abort grace, cleanup) is killed and its run is a hang. */
const WATCHDOG_EXTRA_MS = 60_000;

interface Answer {
  seed: number;
  outcome?: RunOutcome;
  error?: string;
}

function startWorker(verbose: boolean): ChildProcess {
  const env = { ...process.env };
  if (!verbose) {
    env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    env.POWERTOOLS_METRICS_DISABLED = 'true';
  }
  return fork(WORKER, [], {
    execArgv: ['--import', 'tsx'],
    env,
    stdio: verbose ? 'inherit' : ['ignore', 'ignore', 'ignore', 'ipc'],
  });
}

function runOn(worker: ChildProcess, request: WorkerRequest): Promise<RunOutcome> {
  const killed = (detail: string): RunOutcome => ({
    seed: request.seed,
    status: 'HUNG',
    wallMs: request.settings.deadlineMs + WATCHDOG_EXTRA_MS,
    violations: [{ invariant: 'runEnds', detail }],
    lease: { extended: 0, released: 0 },
    clonesLeft: [],
    clonesAfterCleanup: [],
  });
  return new Promise((resolve) => {
    const watchdog = setTimeout(() => {
      cleanup();
      worker.kill('SIGKILL');
      resolve(killed('the worker did not answer after the deadline and was killed (its simulator with it)'));
    }, request.settings.deadlineMs + WATCHDOG_EXTRA_MS);
    const onMessage = (answer: Answer): void => {
      if (answer.seed !== request.seed) return;
      cleanup();
      resolve(
        answer.outcome ?? {
          ...killed(''),
          status: 'CRASHED',
          violations: [{ invariant: 'runEnds', detail: `the soak worker failed: ${answer.error ?? '?'}` }],
        },
      );
    };
    const onExit = (code: number | null): void => {
      cleanup();
      resolve({
        ...killed(''),
        status: 'CRASHED',
        violations: [{ invariant: 'runEnds', detail: `the soak worker exited (${code}) during the run` }],
      });
    };
    const cleanup = (): void => {
      clearTimeout(watchdog);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.send(request);
  });
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const seeds = options.seeds ? [...options.seeds] : seedsOf(options.seed, options.runs);
  const settings: RunSettings = { timeScale: options.timeScale, deadlineMs: options.deadlineMs };
  const outcomes: RunOutcome[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    let worker: ChildProcess | undefined;
    try {
      while (next < seeds.length) {
        const seed = seeds[next++] as number;
        if (!worker || worker.exitCode !== null || worker.signalCode !== null) {
          worker = startWorker(options.verbose ?? false);
        }
        const outcome = await runOn(worker, { seed, settings });
        // A worker that ended a hung run exits by itself; make sure it is gone before the next run.
        if (outcome.status === 'HUNG' || outcome.status === 'CRASHED') {
          await stop(worker);
          worker = undefined;
        }
        outcomes.push(outcome);
        options.onRun?.(outcome, outcomes.length, seeds.length);
      }
    } finally {
      if (worker) await stop(worker);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, seeds.length)) }, lane));
  outcomes.sort((a, b) => a.seed - b.seed);
  return summarize(options, outcomes, Date.now() - started);
}

function stop(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.kill('SIGTERM');
    setTimeout(() => worker.kill('SIGKILL'), 5_000).unref();
  });
}

export function summarize(options: SoakOptions, outcomes: RunOutcome[], wallMs: number): SoakResult {
  const invariants = Object.fromEntries(
    INVARIANT_NAMES.map((name) => [name, { broken: 0, seeds: [], details: {} } as InvariantResult]),
  ) as Record<InvariantName, InvariantResult>;
  const tally: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.error ? `${o.status} ${o.error}` : o.status;
    tally[key] = (tally[key] ?? 0) + 1;
    for (const name of INVARIANT_NAMES) {
      const broke = o.violations.filter((v) => v.invariant === name);
      if (broke.length === 0) continue;
      invariants[name].broken++;
      invariants[name].seeds.push(o.seed);
      invariants[name].details[o.seed] = broke.map((v) => v.detail).join('; ');
    }
  }
  const scenarios = outcomes.map((o) => planScenario(o.seed));
  return {
    seed: options.seed,
    runs: outcomes.length,
    seeds: outcomes.map((o) => o.seed),
    concurrency: options.concurrency,
    timeScale: options.timeScale,
    deadlineMs: options.deadlineMs,
    wallMs,
    runsPerMinute: wallMs > 0 ? Math.round((outcomes.length / wallMs) * 60_000 * 10) / 10 : 0,
    invariants,
    outcomes: tally,
    coverage: coverageOf(scenarios),
    results: outcomes.map((o, i) => ({ ...o, scenario: scenarios[i] as Scenario })),
  };
}

/** Invariants broken by at least one run. */
export function brokenInvariants(result: SoakResult): InvariantName[] {
  return INVARIANT_NAMES.filter((n) => result.invariants[n].broken > 0);
}
