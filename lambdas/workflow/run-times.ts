// How long guest programs of each kind ran at least (the last look that still saw them running), in this
// container (a warm Lambda runs many), so the wait for the next one is planned from data: sleep until the
// shortest recent run would end, then look densely.

const KEEP = 20;
/** Without data: look early, then back off to at most one look a second. */
const FIRST_LOOK_MS = 250;
const MAX_BACKOFF_MS = 1_000;
/** With data: looks this far apart once the expected end is reached (a fraction of the usual run, ≥ 100 ms). */
const DENSE_FRACTION = 0.015;
const DENSE_MIN_MS = 100;
/** With few runs seen, the shortest is no floor yet: the first look comes this much earlier. */
const FEW_RUNS = 5;
const FEW_RUNS_MARGIN = 0.1;

const seen = new Map<string, number[]>();

export const runTimes = {
  record(kind: string, ms: number): void {
    const list = seen.get(kind) ?? [];
    list.push(ms);
    if (list.length > KEEP) list.shift();
    seen.set(kind, list);
  },
  /** The pause before look `i` (0-based), in simulated ms. */
  pollPlan(kind: string): (i: number) => number {
    const list = seen.get(kind);
    if (!list?.length)
      return (i) => (i === 0 ? FIRST_LOOK_MS : Math.min(FIRST_LOOK_MS * 2 ** i, MAX_BACKOFF_MS));
    const shortest = Math.min(...list);
    const dense = Math.max(DENSE_MIN_MS, shortest * DENSE_FRACTION);
    const first = shortest * (list.length < FEW_RUNS ? 1 - FEW_RUNS_MARGIN : 1) - dense;
    return (i) => (i === 0 ? Math.max(0, first) : dense);
  },
  /** Tests only. */
  forget(): void {
    seen.clear();
  },
};
