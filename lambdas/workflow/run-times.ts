// How long things of each kind (a guest program, a vCenter task) took in this container (a warm Lambda runs
// many), so the wait for the next one is planned from data: the first look comes when such a run usually ends,
// then dense looks, so that both the lag after the end and the number of round trips stay small.
// Times are simulated ms (clock.ts), so learned figures mean the same at any local time scale.
// A store (run-time-store.ts, ADR 0009) may keep them beyond the container: it seeds a cold container with the
// deployment's samples and hears of every run recorded here.

/** Runs kept per kind (the newest). */
export const KEEP = 20;
/** With fewer runs seen than this, the plan starts from the shortest run (less `fewRunsMargin`). */
const FEW_RUNS = 4;
/** A first look that already finds the run over keeps this much less than its time (see `record`). */
const ENDED_FIRST_MARGIN = 0.1;

/** How densely to look for one kind of thing. */
export interface LookProfile {
  /** Which of the recent run times the first look aims at (0 = the shortest, 0.5 = the median). */
  quantile: number;
  /** Looks after the first are this fraction of the usual run time apart … */
  denseFraction: number;
  /** … and at least this far apart (simulated ms); each further look this factor later than the one before. */
  denseMinMs: number;
  denseGrowth: number;
  /** Once a run outlasts every recent one, looks back off to at most this far apart (simulated ms). */
  maxBackoffMs: number;
  /** With few runs seen, how much earlier than the shortest the first look comes (0.1 = a tenth). */
  fewRunsMargin: number;
}

/** Where one run's end lies: after the last look that saw it going on, at or before the first that saw it over. */
export interface EndSeen {
  /** Since the start (simulated ms) of the last look that saw it still going, if any did. */
  lastRunningMs?: number;
  /** Since the start of the look that saw it over (or of the push that said so). */
  endedMs: number;
  /** True when a push reported the end as it happened, so `endedMs` is the end itself. */
  exact?: boolean;
}

/** Where learned times outlive this container; without one, they live and die with it. */
export interface RunTimesStore {
  /** Settles once stored samples are in (`seed`) or are not coming; bounded in time, never rejects. */
  ready(kind: string): Promise<void>;
  /** One run was recorded in this container (the time `pollPlan` will use). */
  recorded(kind: string, ms: number): void;
  /** This container's times were dropped (`forget`): the next wait is a cold container's again. */
  forgotten(): void;
}

const seen = new Map<string, number[]>();
let store: RunTimesStore | undefined;

function quantileOf(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))));
  return sorted[i] ?? 0;
}

export const runTimes = {
  /** Whether a run of this kind has been seen in this container. */
  known(kind: string): boolean {
    return (seen.get(kind)?.length ?? 0) > 0;
  },
  /**
   * Records one run. Two looks around its end give their midpoint (within half a dense step); a first look
   * that already found it over only says "at most": then a tenth less is kept, so the plan creeps earlier
   * until a look sees a run going on again, instead of aiming later and later.
   */
  record(kind: string, end: EndSeen): void {
    const ms = end.exact
      ? end.endedMs
      : end.lastRunningMs === undefined
        ? end.endedMs * (1 - ENDED_FIRST_MARGIN)
        : (end.lastRunningMs + end.endedMs) / 2;
    const list = seen.get(kind) ?? [];
    list.push(Math.max(0, ms));
    if (list.length > KEEP) list.shift();
    seen.set(kind, list);
    store?.recorded(kind, Math.max(0, ms));
  },
  /**
   * Runs of this kind seen elsewhere (the store's, oldest first): they count as runs seen, before this
   * container's own, and only the newest KEEP of both are kept.
   */
  seed(kind: string, samples: readonly number[]): void {
    const valid = samples.filter((ms) => Number.isFinite(ms) && ms >= 0);
    if (valid.length === 0) return;
    seen.set(kind, [...valid, ...(seen.get(kind) ?? [])].slice(-KEEP));
  },
  /** Keeps learned times in `s` from now on (undefined: in this container only). */
  persistTo(s: RunTimesStore | undefined): void {
    store = s;
  },
  /** Before planning a wait of this kind: lets the store's samples arrive (bounded; resolves at once without one). */
  ready(kind: string): Promise<void> {
    return store?.ready(kind) ?? Promise.resolve();
  },
  /**
   * The pause before look `i` (0-based) as a function of `i` and the time since the start (simulated ms);
   * undefined without data for this kind (the caller then has its own plan: push, or a plain back-off).
   */
  pollPlan(kind: string, profile: LookProfile): ((i: number, elapsedMs: number) => number) | undefined {
    const list = seen.get(kind);
    if (!list?.length) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    const median = quantileOf(sorted, 0.5);
    const longest = sorted[sorted.length - 1] ?? 0;
    const dense = Math.max(profile.denseMinMs, median * profile.denseFraction);
    const first =
      sorted.length < FEW_RUNS
        ? (sorted[0] ?? 0) * (1 - profile.fewRunsMargin)
        : quantileOf(sorted, profile.quantile);
    // Past every run seen (and a margin for the jitter between runs), dense looks would only add calls.
    const overdue = longest * (1 + ENDED_FIRST_MARGIN) + dense;
    const cap = Math.max(dense, profile.maxBackoffMs);
    let pause = dense;
    return (i, elapsedMs) => {
      if (i === 0) return Math.max(0, first - elapsedMs);
      if (i === 1) pause = dense;
      else pause = Math.min(cap, pause * (elapsedMs <= overdue ? profile.denseGrowth : 1.5));
      return pause;
    };
  },
  /** The longest recent run of this kind (simulated ms), or undefined without data. */
  longest(kind: string): number | undefined {
    const list = seen.get(kind);
    return list?.length ? Math.max(...list) : undefined;
  },
  /** A fresh container (tests, the bench): drops what was learned; a store loads again on the next wait. */
  forget(): void {
    seen.clear();
    store?.forgotten();
  },
};
