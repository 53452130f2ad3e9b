// The run's bookkeeping after the Map: fleet records normalized, errors shortened to {name, message}, phase
// statistics (n/min/max/avg ms, as kitchen-vcenter reports them) for the events and the final output.

export interface ShortError {
  name: string;
  message: string;
}

const MAX_MESSAGE = 600;

/**
 * A Catch's `{Error, Cause}` (Cause is the Lambda's JSON `{errorType, errorMessage, …}` or plain text), or an
 * already short `{name, message}`, as `{name, message}`.
 */
export function shortError(value: unknown): ShortError {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v.name === 'string' && typeof v.message === 'string') {
    return { name: v.name, message: v.message.slice(0, MAX_MESSAGE) };
  }
  const name = typeof v.Error === 'string' ? v.Error : 'Error';
  let message = typeof v.Cause === 'string' ? v.Cause : '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // plain-text cause
  }
  return { name, message: message.slice(0, MAX_MESSAGE) };
}

export interface PhaseStats {
  n: number;
  min: number;
  max: number;
  avg: number;
}

export function stats(values: number[]): PhaseStats | null {
  if (values.length === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    n: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    avg: Math.round(sum / values.length),
  };
}

type Rec = Record<string, unknown>;
const PHASES = ['clone', 'reconnect', 'refresh', 'ip', 'smoke'] as const;

function ms(timing: unknown): number | undefined {
  const t = timing as { ms?: unknown; timing?: { ms?: unknown } } | null | undefined;
  const value = t?.ms ?? t?.timing?.ms;
  return typeof value === 'number' ? value : undefined;
}

/** Per-phase statistics over the ready clones' timings (plus teardown when given). */
export function phaseStats(fleet: Rec[], teardown: Rec[] = []): Record<string, PhaseStats | null> {
  const out: Record<string, PhaseStats | null> = {};
  for (const phase of PHASES) {
    const values = fleet
      .map((r) => ms((r.timings as Rec | undefined)?.[phase]))
      .filter((v) => v !== undefined);
    out[phase] = stats(values as number[]);
  }
  const totals = fleet
    .map((r) => PHASES.reduce((sum, p) => sum + (ms((r.timings as Rec | undefined)?.[p]) ?? 0), 0))
    .filter((v, i) => fleet[i]?.status === 'ready' && v > 0);
  out.total = stats(totals);
  if (teardown.length)
    out.teardown = stats(teardown.map((t) => ms(t.timing)).filter((v) => v !== undefined) as number[]);
  return out;
}

/** A fleet record with its error shortened (records from ReportFailedCloneKept carry the raw Catch output). */
export function normalizeRecord(r: Rec): Rec {
  return { ...r, error: r.error === null || r.error === undefined ? null : shortError(r.error) };
}
