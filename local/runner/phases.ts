// Per-clone phase spans reconstructed from the execution event log (the same phases kitchen-vcenter reports).

import type { ExecutionEvent, JsonValue } from './types.js';

export const PHASES = ['cloning', 'nic', 'guestRefresh', 'ip', 'teardown'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABEL: Record<Phase, string> = {
  cloning: 'cloning',
  nic: 'NIC',
  guestRefresh: 'guest refresh',
  ip: 'IP',
  teardown: 'teardown',
};

/** Task state → phase. */
export const PHASE_OF_STATE: Record<string, Phase> = {
  InstantClone: 'cloning',
  ReconnectNic: 'nic',
  RefreshGuestNetwork: 'guestRefresh',
  WaitForIp: 'ip',
  Teardown: 'teardown',
  TeardownClone: 'teardown',
  /** a failed clone is torn down inside the clone iterator */
  DiscardFailedClone: 'teardown',
};

export interface PhaseSpan {
  phase: Phase;
  start: number;
  end: number;
  ok: boolean;
  retries: number;
}

export interface CloneTimeline {
  /** the clone Map iteration */
  index: number;
  label: string;
  /** the configured source name, when the clone input names it */
  source?: string;
  spans: PhaseSpan[];
  /** when WaitForIp ended well: the clone was ready */
  readyAt?: number;
  error?: string;
}

interface Iteration {
  map: string;
  index: number;
  spans: Map<Phase, PhaseSpan>;
  firstInput?: JsonValue;
  cloneOutput?: JsonValue;
  error?: string | undefined;
  failedIn?: string | undefined;
}

function strings(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** Values of `name` keys, depth first. */
function names(value: unknown, out: string[] = []): string[] {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'name' && typeof v === 'string') out.push(v);
      else names(v, out);
    }
  }
  return out;
}

/** Groups nested state events by (top-level Map, iteration index). */
function iterations(events: ExecutionEvent[]): Iteration[] {
  const all = new Map<string, Iteration>();
  // per execution: the parent, and each Distributed Map child (its events carry its name)
  const currentMap = new Map<string, string>();
  for (const e of events) {
    const st = e.state;
    const execution = e.execution ?? '';
    if (e.index === undefined) {
      if (e.type === 'StateEntered' && st?.type === 'Map') currentMap.set(execution, st.name);
      continue;
    }
    if (!st) continue;
    const map = currentMap.get(execution) ?? '';
    const key = `${execution}|${map}#${e.index}`;
    let it = all.get(key);
    if (!it) {
      // A child's iterations count from 0 within its slice: the plan item's index places them in the fleet.
      const planned = (st.input as { clone?: { index?: unknown } } | null)?.clone?.index;
      const index = typeof planned === 'number' ? planned : e.index;
      it = { map, index, spans: new Map(), firstInput: st.input };
      all.set(key, it);
    }
    const phase = PHASE_OF_STATE[st.name];
    if (!phase) continue;
    let span = it.spans.get(phase);
    if (e.type === 'StateEntered' && !span) {
      span = { phase, start: e.timestamp, end: e.timestamp, ok: false, retries: 0 };
      it.spans.set(phase, span);
    }
    if (!span) continue;
    span.end = Math.max(span.end, e.timestamp);
    if (e.type === 'StateRetried') span.retries++;
    if (e.type === 'StateExited') {
      // A failure that a retry recovered from is no failure of the clone.
      if (it.failedIn === st.name) {
        it.error = undefined;
        it.failedIn = undefined;
      }
      span.ok = true;
      if (phase === 'cloning') it.cloneOutput = st.output;
    }
    if (e.type === 'StateFailed') {
      it.error = e.Error;
      it.failedIn = st.name;
    }
  }
  return [...all.values()];
}

/**
 * Clone timelines: clone-phase iterations, each joined to the teardown iteration whose input mentions a
 * value the clone's InstantClone step produced (its moref or name), else the one with the same index.
 */
export function cloneTimelines(events: ExecutionEvent[]): CloneTimeline[] {
  const its = iterations(events);
  const clones = its.filter((it) => it.spans.has('cloning'));
  const teardowns = its.filter((it) => !it.spans.has('cloning') && it.spans.has('teardown'));
  const used = new Set<Iteration>();
  return clones
    .sort((a, b) => a.index - b.index)
    .map((it) => {
      const before = strings(it.firstInput);
      const produced = [...strings(it.cloneOutput)].filter((s) => !before.has(s));
      const cloneIn = (it.firstInput as { clone?: { name?: unknown; source?: unknown } } | null)?.clone;
      const given = cloneIn?.name;
      const label =
        (typeof given === 'string' ? given : undefined) ??
        names(it.cloneOutput).find((n) => produced.includes(n)) ??
        `clone #${it.index + 1}`;
      const teardown =
        teardowns.find((t) => !used.has(t) && produced.some((s) => strings(t.firstInput).has(s))) ??
        teardowns.find((t) => !used.has(t) && t.index === it.index);
      const spans = [...it.spans.values()];
      if (teardown && !it.spans.has('teardown')) {
        used.add(teardown);
        const span = teardown.spans.get('teardown');
        if (span) spans.push(span);
      }
      const ip = it.spans.get('ip');
      return {
        index: it.index,
        label,
        ...(typeof cloneIn?.source === 'string' ? { source: cloneIn.source } : {}),
        spans: spans.sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase)),
        ...(ip?.ok ? { readyAt: ip.end } : {}),
        ...(it.error ? { error: it.error } : {}),
      };
    });
}

export interface SharedSpan {
  label: string;
  start: number;
  end: number;
}

/** Top-level steps every clone waits for: validation + source checks, and the lease (Ready). */
export function sharedSpans(events: ExecutionEvent[]): SharedSpan[] {
  const span = (label: string, first: string, last: string): SharedSpan | undefined => {
    const top = events.filter((e) => e.index === undefined && e.state && !e.execution);
    const start = top.find((e) => e.type === 'StateEntered' && e.state?.name === first)?.timestamp;
    const end = top.findLast((e) => e.type !== 'StateEntered' && e.state?.name === last)?.timestamp;
    return start !== undefined && end !== undefined ? { label, start, end } : undefined;
  };
  return [
    span('validate + verify sources', 'ValidateRequest', 'VerifySourceFrozen'),
    span('lease (Ready)', 'Ready', 'Ready'),
  ].filter((s): s is SharedSpan => s !== undefined);
}
