// The soak's invariants, checked after every run against the simulator's inventory and the run's own report.
import { ERROR_NAMES } from '../../lambdas/workflow/errors.js';
import type { ExecutionEvent, LocalExecutionResult } from '../runner/index.js';
import type { SimVm } from '../simulator/index.js';
import { type PlannedFault, TEARDOWN_METHODS } from './fault-kinds.js';
import { attemptsAllowed } from './retry-budget.js';

export const INVARIANTS = {
  noUnreportedClone: 'no clone left that the run did not report as leaked',
  leakOnlyPastBudget: 'a reported leak only when a fault outlasted the retry budget',
  runEnds: 'every run ends before its deadline',
  readyIpHeld: "a Ready clone's IP is held by its guest",
  documentedErrors: 'no error name outside the documented list',
} as const;

export type InvariantName = keyof typeof INVARIANTS;
export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];

export interface Violation {
  invariant: InvariantName;
  detail: string;
}

/**
 * Error names a run may show anywhere (history, execution error, summary): the workflow's own classes
 * (lambdas/workflow/errors.ts, what the ASL's Retry/Catch match), plus States.Timeout where the ASL
 * expects it: the Ready task's lease timeout, caught by name to tear the fleet down. Anything else
 * (TypeError, Lambda.Unknown, States.DataLimitExceeded, States.Runtime, a States.Timeout of a Lambda task)
 * means a handler or the ASL broke.
 */
export const DOCUMENTED_ERRORS: ReadonlySet<string> = new Set(ERROR_NAMES);
export const STATES_ERRORS_ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'States.Timeout': ['Ready'],
};

type Rec = Record<string, unknown>;

export interface TeardownRecord {
  name: string;
  outcome: string;
  error?: string;
}

/** What the run reported about its clones: FinishRun's summary and the teardown records it was given. */
export interface RunReport {
  clones: {
    name: string;
    status: string;
    ip: string | null;
    teardown: string | null;
    error: string | null;
  }[];
  teardown: TeardownRecord[];
  /** the whole teardown Map failed: every clone counts as reported */
  teardownMapFailed: boolean;
  errorName: string | null;
}

export function runReport(events: readonly ExecutionEvent[]): RunReport | undefined {
  const exited = events.findLast((e) => e.type === 'StateExited' && e.state?.name === 'FinishRun');
  const finish = (exited?.state?.output as Rec | undefined)?.finish as Rec | undefined;
  const summary = finish?.summary as Rec | undefined;
  if (!summary) return undefined;
  const input = (exited?.state?.input ?? {}) as Rec;
  const teardown = ((input.teardown as Rec[] | undefined) ?? []).map((t) => ({
    name: String(t.name),
    outcome: String(t.outcome),
    ...(t.error && typeof (t.error as Rec).Error === 'string'
      ? { error: (t.error as Rec).Error as string }
      : {}),
  }));
  const errorOf = (e: unknown): string | null =>
    e && typeof (e as Rec).name === 'string' ? ((e as Rec).name as string) : null;
  return {
    clones: ((summary.clones as Rec[] | undefined) ?? []).map((c) => ({
      name: String(c.name),
      status: String(c.status),
      ip: typeof c.ip === 'string' ? c.ip : null,
      teardown: typeof c.teardown === 'string' ? c.teardown : null,
      error: errorOf(c.error),
    })),
    teardown,
    teardownMapFailed: input.teardownError !== undefined,
    errorName: errorOf(summary.error),
  };
}

const LEAKED_OUTCOMES = new Set(['failed', 'notOurs']);

/** Clones the run itself says it left behind. */
export function reportedLeaks(report: RunReport | undefined): Set<string> {
  if (!report) return new Set();
  if (report.teardownMapFailed) return new Set(report.clones.map((c) => c.name));
  return new Set(report.clones.filter((c) => LEAKED_OUTCOMES.has(c.teardown ?? '')).map((c) => c.name));
}

export function checkLeftovers(left: readonly string[], report: RunReport | undefined): Violation[] {
  const reported = reportedLeaks(report);
  return left
    .filter((name) => !reported.has(name))
    .map((name) => ({
      invariant: 'noUnreportedClone' as const,
      detail: `${name} is still in vCenter${report ? ` (reported ${teardownOf(report, name)})` : ', no report'}`,
    }));
}

function teardownOf(report: RunReport, name: string): string {
  const clone = report.clones.find((c) => c.name === name);
  return clone ? `${clone.status}, teardown ${clone.teardown ?? 'none'}` : 'not in the fleet';
}

/**
 * A reported leak is right only when the faults on the methods the teardown calls could outlast the teardown's
 * retry budget for the error it raised (attempts from the ASL's Retry): a probability (which can outlast any
 * budget), or counts that add up to at least that budget. Counts add up because each failed attempt uses one
 * injected fault, whichever rule it comes from (Destroy_Task TaskInProgress ×3 then InvalidPowerState ×3 fail
 * six attempts in a row).
 */
export function checkLeaks(report: RunReport | undefined, faults: readonly PlannedFault[]): Violation[] {
  if (!report) return [];
  const rules = faults.flatMap((f) => (f.rule && TEARDOWN_METHODS.has(f.rule.method) ? [f.rule] : []));
  const out: Violation[] = [];
  for (const name of reportedLeaks(report)) {
    const record = report.teardown.find((t) => t.name === name);
    if (record?.outcome === 'notOurs') {
      out.push({ invariant: 'leakOnlyPastBudget', detail: `${name}: refused as not this run's clone` });
      continue;
    }
    const error = record?.error ?? 'TeardownFailed';
    const budget = attemptsAllowed('TeardownClone', error);
    const probabilistic = rules.some((r) => r.probability !== undefined);
    const counted = rules.reduce((n, r) => n + (r.count ?? 0), 0);
    if (!probabilistic && counted < budget) {
      const injected = rules.map((r) => `${r.method}:${r.fault}×${r.count}`).join(', ') || 'none';
      out.push({
        invariant: 'leakOnlyPastBudget',
        detail: `${name}: teardown gave up (${error}, budget ${budget} attempts) but no teardown fault lasts that long (injected: ${injected})`,
      });
    }
  }
  return out;
}

/** Each handed-out address against the guest's: the clone must exist, be on, and hold exactly that IP. */
export function checkReadyIps(
  handedOut: readonly { name: string; ip: string | null }[],
  inventory: readonly SimVm[],
  when: string,
): Violation[] {
  const out: Violation[] = [];
  for (const clone of handedOut) {
    const vm = inventory.find((v) => v.name === clone.name);
    // A static address and a DHCP lease can sit side by side on the vNIC: held means on the guest's NIC.
    if (vm && vm.powerState === 'poweredOn' && clone.ip !== null && vm.ips.includes(clone.ip)) continue;
    const held = !vm
      ? 'the VM does not exist'
      : vm.powerState !== 'poweredOn'
        ? vm.powerState
        : vm.ips.join(', ') || 'none';
    out.push({
      invariant: 'readyIpHeld',
      detail: `${clone.name}: ${when} hands out ${clone.ip ?? 'no IP'}, the guest holds ${held}`,
    });
  }
  return out;
}

/** Every error name in the history, the execution's error and the summary. */
export function checkErrorNames(result: LocalExecutionResult, report: RunReport | undefined): Violation[] {
  const seen: { name: string; state: string }[] = [];
  for (const e of result.events)
    if (e.Error) seen.push({ name: e.Error, state: e.state?.name ?? '(execution)' });
  if (result.error) seen.push({ name: result.error, state: '(execution)' });
  if (report?.errorName) seen.push({ name: report.errorName, state: 'summary' });
  for (const c of report?.clones ?? []) if (c.error) seen.push({ name: c.error, state: `clone ${c.name}` });
  const bad = new Map<string, string>();
  for (const { name, state } of seen) {
    if (DOCUMENTED_ERRORS.has(name)) continue;
    if (STATES_ERRORS_ALLOWED[name]?.includes(state)) continue;
    // An execution/summary error echoes the state error already judged where it happened.
    if (
      (state === '(execution)' || state === 'summary') &&
      seen.some((s) => s.name === name && s.state === 'Ready')
    )
      continue;
    if (!bad.has(name)) bad.set(name, state);
  }
  return [...bad].map(([name, state]) => ({ invariant: 'documentedErrors', detail: `${name} at ${state}` }));
}
