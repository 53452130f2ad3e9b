// The per-clone records the parent execution holds (ADR 0005): a child's full records (timings, MAC, moref)
// stay in the child; the parent keeps what the Ready event and the run summary show, short enough for 1,000+
// clones to fit one state (budgets.ts). Teardown records reach the parent only when something went wrong.
import { type PhaseStats, shortError, stats } from './summary.js';

type Rec = Record<string, unknown>;

export type CompactRecord =
  | {
      name: string;
      /** the configured source and its guest OS family: the CLI's acquire output and the Ready event show them */
      source: string;
      os: 'linux' | 'windows';
      status: 'ready';
      ip: string | null;
      host: string | null;
      error: null;
    }
  | {
      name: string;
      status: 'failed';
      ip: null;
      host: string | null;
      error: { name: string; message: string };
    };

/** `messageChars` (budgets.ts) cuts a failed clone's message; the child's history and logs have it whole. */
export function compactRecord(r: Rec, messageChars: number): CompactRecord {
  const host = typeof r.host === 'string' ? r.host : null;
  if (r.status === 'ready' && typeof r.ip === 'string') {
    const os = r.os === 'windows' ? 'windows' : 'linux';
    return {
      name: String(r.name),
      source: String(r.source),
      os,
      status: 'ready',
      ip: r.ip,
      host,
      error: null,
    };
  }
  // A failed clone keeps no source or OS: nothing reads them, and 1,000 failed records must fit (budgets.ts).
  const error = shortError(r.error ?? { name: 'CloneFailed', message: 'failed' });
  return {
    name: String(r.name),
    status: 'failed',
    ip: null,
    host,
    error: { name: error.name, message: error.message.slice(0, messageChars) },
  };
}

/** Teardown outcomes that need no one's attention; the others reach the parent by name. */
export const CLEAN_TEARDOWN = new Set(['destroyed', 'alreadyGone', 'notFound', 'skipped']);

/** Per-phase statistics of several slices as one: n-weighted average, overall min and max. */
export function mergeStats(parts: (PhaseStats | null | undefined)[]): PhaseStats | null {
  const present = parts.filter((p): p is PhaseStats => !!p && p.n > 0);
  if (present.length === 0) return null;
  const n = present.reduce((a, p) => a + p.n, 0);
  return {
    n,
    min: Math.min(...present.map((p) => p.min)),
    max: Math.max(...present.map((p) => p.max)),
    avg: Math.round(present.reduce((a, p) => a + p.avg * p.n, 0) / n),
  };
}

/** Merges each phase's statistics across slices. */
export function mergePhases(
  slices: (Record<string, PhaseStats | null> | null | undefined)[],
): Record<string, PhaseStats | null> {
  const keys = new Set(slices.flatMap((s) => Object.keys(s ?? {})));
  const out: Record<string, PhaseStats | null> = {};
  for (const k of keys) out[k] = mergeStats(slices.map((s) => s?.[k]));
  return out;
}

export { stats };
