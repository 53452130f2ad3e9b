// What `status` shows and `acquire`/`fleet` narrate: the run's step, each clone's phase, IP and error, the lease.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { currentReadyWait } from '../lambdas/workflow/ready-wait.js';
import { ipIn } from '../local/runner/tty-progress.js';
import type { ExecutionEvent } from '../local/runner/types.js';
import { toRunnerEvents } from './history.js';
import { causeMessage } from './sfn.js';

/** A clone's phase in words, by the state its iteration entered last. */
const PHASE_BY_STATE: Record<string, string> = {
  InstantClone: 'cloning',
  ReconnectNic: 'nic',
  RefreshGuestNetwork: 'guest refresh',
  WaitForIp: 'ip',
  HasSmokeCommand: 'ip',
  RunSmokeCommand: 'smoke',
  CloneReady: 'ready',
  DiscardFailedClone: 'failed, tearing down',
  ReportFailedClone: 'failed',
  ReportFailedCloneKept: 'failed',
  TeardownClone: 'teardown',
  TeardownCloneFailed: 'teardown failed',
};

export interface CloneView {
  name: string;
  source?: string;
  os?: string;
  phase: string;
  ip?: string;
  error?: { name: string; message: string };
}

export interface RunView {
  runId: string;
  executionArn: string;
  status: string;
  /** the top-level state the run is in (or ended in) */
  step?: string;
  requesterId?: string;
  startedAt?: string;
  stoppedAt?: string;
  leaseExpiresAt?: string;
  leaseSecondsLeft?: number;
  maxLeaseExpiresAt?: string;
  clones: CloneView[];
  error?: { name: string; message: string };
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Clones by name, in the order their iterations started, with phase, IP and error. */
export function cloneViews(events: ExecutionEvent[]): CloneView[] {
  const clones = new Map<string, CloneView>();
  const byIteration = new Map<string, CloneView>();
  let map = '';
  for (const e of events) {
    if (e.index === undefined) {
      if (e.type === 'StateEntered' && e.state?.type === 'Map') map = e.state.name;
      if (e.type === 'StateExited' && e.state?.name === 'CheckFleet') {
        // CheckFleet's output holds every clone's record: the authoritative status, IP and error. The clones
        // themselves ran in the fan-out's child executions (ADR 0005), whose histories the parent's does not
        // hold: these compact records are where the parent learns them.
        const fleet = rec(e.state.output).fleet;
        for (const r of Array.isArray(fleet) ? fleet.map(rec) : []) {
          const name = str(r.name);
          if (!name) continue;
          let c = clones.get(name);
          if (!c) {
            c = {
              name,
              ...(str(r.source) ? { source: str(r.source) } : {}),
              ...(str(r.os) ? { os: str(r.os) } : {}),
              phase: 'queued',
            };
            clones.set(name, c);
          }
          if (str(r.ip)) c.ip = str(r.ip);
          const err = rec(r.error);
          if (str(err.name)) c.error = { name: str(err.name) ?? '', message: str(err.message) ?? '' };
          c.phase = r.status === 'ready' ? 'ready' : 'failed';
        }
      }
      // The teardown children report by name only the clones whose teardown needs attention.
      if (e.state?.name === 'TeardownFleet' && e.type === 'StateEntered') {
        for (const c of clones.values()) c.phase = 'teardown';
      }
      if (e.state?.name === 'TeardownFleet' && e.type === 'StateExited') {
        const slices = rec(e.state.output).teardown;
        const failed = new Set(
          (Array.isArray(slices) ? slices : [])
            .flatMap((slice) => rec(slice).records)
            .filter((t) => Array.isArray(t) === false && rec(t).outcome !== undefined)
            .map((t) => str(rec(t).name)),
        );
        for (const c of clones.values()) c.phase = failed.has(c.name) ? 'teardown failed' : 'torn down';
      }
      continue;
    }
    if (!e.state) continue;
    const key = `${map}#${e.index}`;
    let view = byIteration.get(key);
    if (!view) {
      const clone = rec(rec(e.state.input).clone);
      const name = str(clone.name) ?? `${map} #${e.index + 1}`;
      view = clones.get(name);
      if (!view) {
        view = {
          name,
          ...(str(clone.source) ? { source: str(clone.source) } : {}),
          ...(str(clone.os) ? { os: str(clone.os) } : {}),
          phase: 'queued',
        };
        clones.set(name, view);
      }
      byIteration.set(key, view);
    }
    const phase = PHASE_BY_STATE[e.state.name];
    if (e.type === 'StateEntered' && phase) view.phase = phase;
    if (e.type === 'StateExited') {
      const ip = e.state.name === 'WaitForIp' ? ipIn(e.state.output) : undefined;
      if (ip) view.ip = ip;
      if (e.state.name === 'TeardownClone') view.phase = 'torn down';
    }
    if (e.type === 'StateFailed') {
      view.error = { name: e.Error ?? 'Error', message: causeMessage(str(e.Cause)) };
    }
    // a retry means the earlier failure did not stick (a caught one does: its state never exits well)
    if (e.type === 'StateRetried') delete view.error;
  }
  return [...clones.values()];
}

export interface ExecutionFacts {
  executionArn: string;
  runId: string;
  status?: string | undefined;
  startDate?: Date | undefined;
  stopDate?: Date | undefined;
  input?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
}

/** The run as `status` prints it, from DescribeExecution's facts and the history. */
export function runView(facts: ExecutionFacts, history: readonly HistoryEvent[], now = Date.now()): RunView {
  const events = toRunnerEvents(history);
  const step = events.findLast((e) => e.index === undefined && e.type === 'StateEntered')?.state?.name;
  let requesterId: string | undefined;
  try {
    requesterId = str(rec(JSON.parse(facts.input ?? '{}')).requesterId);
  } catch {
    // input not shown (no permission for execution data)
  }
  const wait = currentReadyWait(history);
  const view: RunView = {
    runId: facts.runId,
    executionArn: facts.executionArn,
    status: facts.status ?? 'UNKNOWN',
    ...(step ? { step } : {}),
    ...(requesterId ? { requesterId } : {}),
    ...(facts.startDate ? { startedAt: new Date(facts.startDate).toISOString() } : {}),
    ...(facts.stopDate ? { stoppedAt: new Date(facts.stopDate).toISOString() } : {}),
    ...(wait
      ? {
          leaseExpiresAt: wait.leaseExpiresAt,
          leaseSecondsLeft: Math.max(0, Math.round((Date.parse(wait.leaseExpiresAt) - now) / 1000)),
          maxLeaseExpiresAt: wait.maxLeaseExpiresAt,
        }
      : {}),
    ...(facts.error ? { error: { name: facts.error, message: causeMessage(facts.cause) } } : {}),
    clones: cloneViews(events),
  };
  if (wait) {
    for (const c of wait.clones) {
      const v = view.clones.find((x) => x.name === c.name);
      if (v) Object.assign(v, { ip: c.ip, os: c.os, source: c.source, phase: 'ready' });
    }
  }
  return view;
}

/** `status`'s text form: a header, then one row per clone. */
export function formatRunView(view: RunView): string {
  const lines = [
    `run ${view.runId}  ${view.status}${view.step ? ` (${view.step})` : ''}`,
    `execution ${view.executionArn}`,
  ];
  if (view.requesterId) lines.push(`requester ${view.requesterId}`);
  if (view.leaseExpiresAt) {
    lines.push(`lease until ${view.leaseExpiresAt} (${formatSeconds(view.leaseSecondsLeft ?? 0)} left)`);
  }
  if (view.error) lines.push(`error ${view.error.name}: ${view.error.message}`);
  if (view.clones.length > 0) {
    const rows = view.clones.map((c) => [
      c.name,
      c.source ?? '',
      c.phase,
      c.ip ?? '',
      c.error ? `${c.error.name}: ${c.error.message}` : '',
    ]);
    lines.push('', ...table(['CLONE', 'SOURCE', 'PHASE', 'IP', 'ERROR'], rows));
  }
  return lines.join('\n');
}

export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/** Left-aligned columns, the last one unpadded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
