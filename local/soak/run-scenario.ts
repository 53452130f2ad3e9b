// One soak run: a fresh simulator, the scenario's faults fired at their triggers, the local runner under a
// deadline, then the invariants against the simulator's inventory and the run's own report. A run that does
// not end by its deadline is aborted and its clones torn down by run marker before the simulator stops.

import { parseConfig } from '../../lambdas/workflow/config.js';
import { buildLocalSetup } from '../runner/config.js';
import type {
  ExecutionStatus,
  JsonValue,
  LocalExecutionResult,
  RunnerEvent,
  TaskHook,
} from '../runner/index.js';
import { runLocalWorkflow } from '../runner/index.js';
import { TaskTokens } from '../runner/task-tokens.js';
import { tearDownRun } from '../runner/tear-down-run.js';
import { type RunningSimulator, startSimulator } from '../simulator/index.js';
import { FAULT_KIND_BY_NAME, type PlannedFault } from './fault-kinds.js';
import {
  checkErrorNames,
  checkLeaks,
  checkLeftovers,
  checkReadyIps,
  runReport,
  type Violation,
} from './invariants.js';
import type { Scenario } from './scenario.js';

export interface RunSettings {
  /** simulator latencies, Retry pauses, Wait states and the lease timeout are multiplied by this */
  timeScale: number;
  /** wall-clock ms a run may take before it counts as hung and is aborted */
  deadlineMs: number;
}

export interface RunOutcome {
  seed: number;
  /** HUNG: aborted at its deadline; CRASHED: the runner itself threw */
  status: ExecutionStatus | 'HUNG' | 'CRASHED';
  error?: string;
  cause?: string;
  wallMs: number;
  violations: Violation[];
  /**
   * what the runner's run-scoped teardown (TeardownRun, as on AWS for a stopped/aborted/timed-out execution)
   * destroyed and failed to destroy, when the execution ended without its own teardown
   */
  runTeardown?: { destroyed: string[]; failed: { name: string; error: string }[] };
  /** how the lease went: waits of Ready answered with an extension, and with a release */
  lease: { extended: number; released: number };
  /** clones in the simulator after the run settled (before any cleanup by the soak) */
  clonesLeft: string[];
  /** clones still there after the soak tore down what the run left (should be none) */
  clonesAfterCleanup: string[];
}

/** Longest modelled vCenter task (a full clone, 20 s) twice over: a task the run gave up on ends by then. */
const SETTLE_SIMULATED_MS = 40_000;
const ABORT_GRACE_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<RunOutcome> {
  const started = Date.now();
  const sim = await startSimulator({ timeScale: settings.timeScale, ...scenario.simulatorOptions });
  try {
    return await drive(sim, scenario, settings, started);
  } finally {
    await sim.stop();
  }
}

async function drive(
  sim: RunningSimulator,
  scenario: Scenario,
  settings: RunSettings,
  started: number,
): Promise<RunOutcome> {
  const violations: Violation[] = [];
  const fire = (f: PlannedFault): void => FAULT_KIND_BY_NAME.get(f.kind)?.fire?.(sim, f);
  for (const f of scenario.faults) if (f.trigger.at === 'start') fire(f);
  const pending = scenario.faults.filter((f) => f.trigger.at === 'state');
  const checkedIps = new Set<string>();

  const checkHandOut = (
    clones: { name: string; ip: string | null; status: string }[],
    when: string,
  ): void => {
    const fresh = clones.filter((c) => c.status === 'ready' && !checkedIps.has(c.name));
    for (const c of fresh) checkedIps.add(c.name);
    violations.push(...checkReadyIps(fresh, sim.inventory(), when));
  };

  // The pipeline's side of the lease (ADR 0004): each wait of Ready gets its own token, answered after the
  // hold with SendTaskSuccess: an extension while the scenario still has some, then the release.
  const tokens = new TaskTokens();
  let extensionsLeft = scenario.lease === 'extended' ? 1 : 0;
  const holdTimers: NodeJS.Timeout[] = [];
  const leaseAnswers = { extended: 0, released: 0 };
  const answerAfterHold = (token: string): void => {
    const answer = (): void => {
      if (!tokens.has(token)) return;
      const output: JsonValue =
        extensionsLeft > 0
          ? { action: 'extend', leaseMinutes: 1 }
          : { action: 'release', releasedBy: 'soak' };
      tokens.succeed(token, output);
      if (extensionsLeft > 0) {
        extensionsLeft--;
        leaseAnswers.extended++;
      } else leaseAnswers.released++;
    };
    holdTimers.push(setTimeout(answer, scenario.holdMs * settings.timeScale));
  };
  // Lambda calls under way (a hang's culprit): +1 before a call, -1 after it or when its state fails.
  const inFlight = new Map<string, number>();
  const track = (state: string, delta: number): void => {
    inFlight.set(state, Math.max(0, (inFlight.get(state) ?? 0) + delta));
  };
  const onEvent = (e: RunnerEvent): void => {
    if (e.kind === 'task' && e.state === 'Ready' && e.phase === 'scheduled' && scenario.lease !== 'expired') {
      const token = (e.parameters as { Payload?: { taskToken?: string } } | null)?.Payload?.taskToken;
      if (token) answerAfterHold(token);
    }
    if (e.kind === 'execution' && e.event.state) {
      const state = e.event.state.name;
      if (e.event.type === 'StateFailed') track(state, -1);
      if (state === 'Ready' && e.event.type === 'StateEntered') track(state, 1);
      if (state === 'Ready' && e.event.type === 'StateExited') track(state, -1);
    }
    if (e.kind !== 'putEvents' || e.event.state !== 'Ready') return;
    // The Ready event's Detail is the JSON string PutEvents carries.
    const raw = (e.event.entries[0] as { Detail?: string } | undefined)?.Detail;
    const detail = typeof raw === 'string' ? (JSON.parse(raw) as { clones?: JsonValue }) : undefined;
    checkHandOut((detail?.clones ?? []) as never, 'the Ready event');
    for (const f of scenario.faults) if (f.trigger.at === 'hold') fire(f);
  };
  const taskHook: TaskHook = ({ state, phase, payload }) => {
    track(state, phase === 'before' ? 1 : -1);
    if (phase !== 'before') return;
    for (const f of pending.filter((p) => p.trigger.at === 'state' && p.trigger.state === state)) {
      pending.splice(pending.indexOf(f), 1);
      fire(f);
    }
    // leaseMinutes 0 has no Ready event: the fleet handed out is what teardown receives.
    const clone = (payload as { clone?: { name: string; ip: string | null; status: string } } | null)?.clone;
    if (state === 'TeardownClone' && clone && scenario.lease === 'zero') checkHandOut([clone], 'the fleet');
  };

  const abort = new AbortController();
  const name = `soak-${scenario.seed}`;
  let hung = false;
  const deadline = setTimeout(() => {
    hung = true;
    abort.abort();
  }, settings.deadlineMs);
  let result: LocalExecutionResult | undefined;
  let crash: unknown;
  try {
    const running = runLocalWorkflow({
      input: scenario.request,
      simulator: sim,
      timeScale: settings.timeScale,
      name,
      release: scenario.lease === 'expired' ? 'never' : { tokens },
      onEvent,
      taskHook,
      signal: abort.signal,
    });
    // After an abort the library may still wait on a handler that never returns; stop waiting after a grace.
    const aborted = new Promise<undefined>((resolve) =>
      abort.signal.addEventListener('abort', () =>
        setTimeout(() => resolve(undefined), ABORT_GRACE_MS).unref(),
      ),
    );
    result = await Promise.race([running, aborted]);
  } catch (error) {
    crash = error;
  } finally {
    clearTimeout(deadline);
    for (const t of holdTimers) clearTimeout(t);
  }

  await sleep(SETTLE_SIMULATED_MS * settings.timeScale);
  const clonesLeft = sim.clones().map((c) => c.name);
  const report = result && !hung ? runReport(result.events) : undefined;
  if (hung || crash) {
    violations.push({
      invariant: 'runEnds',
      detail: hung
        ? `no end after ${Math.round(settings.deadlineMs / 1000)} s (under way: ${underWay(inFlight)})`
        : `the runner threw ${crash instanceof Error ? `${crash.name}: ${crash.message}` : String(crash)}`,
    });
  } else if (result) {
    violations.push(...checkLeftovers(clonesLeft, report));
    violations.push(...checkLeaks(report, scenario.faults));
    violations.push(...checkErrorNames(result, report));
  }
  // Whatever is left (a hung run's fleet the runner's own TeardownRun did not reach, reported leaks) is torn
  // down by run marker, as the Ctrl-C path and the reaper would, with the faults lifted: the check that this works is part of the run.
  let clonesAfterCleanup: string[] = [];
  if (clonesLeft.length > 0) {
    sim.clearFaults();
    sim.setDhcp('up');
    const setup = buildLocalSetup({ simulator: sim });
    await tearDownRun(setup.target, parseConfig(JSON.stringify(setup.config)), name).catch(() => undefined);
    clonesAfterCleanup = sim.clones().map((c) => c.name);
  }
  return {
    seed: scenario.seed,
    status: hung ? 'HUNG' : crash ? 'CRASHED' : (result?.status ?? 'CRASHED'),
    ...(result?.error ? { error: result.error } : {}),
    ...(result?.cause ? { cause: result.cause.slice(0, 300) } : {}),
    ...(result?.teardown ? { runTeardown: result.teardown } : {}),
    wallMs: Date.now() - started,
    violations,
    lease: leaseAnswers,
    clonesLeft,
    clonesAfterCleanup,
  };
}

function underWay(inFlight: ReadonlyMap<string, number>): string {
  const busy = [...inFlight].filter(([, n]) => n > 0).map(([state, n]) => `${state} ×${n}`);
  return busy.join(', ') || 'nothing';
}
