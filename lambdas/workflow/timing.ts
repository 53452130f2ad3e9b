// Phase timings as every handler reports them: ISO timestamps for the timeline and milliseconds for tables.

export interface PhaseTiming {
  startedAt: string;
  endedAt: string;
  ms: number;
}

/** Starts a clock; calling the result ends it. */
export function startPhase(now: () => number = Date.now): () => PhaseTiming {
  const start = now();
  return () => {
    const end = now();
    return {
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(end).toISOString(),
      ms: end - start,
    };
  };
}

/** Times an async step. */
export async function timed<T>(step: () => Promise<T>): Promise<{ value: T; timing: PhaseTiming }> {
  const end = startPhase();
  const value = await step();
  return { value, timing: end() };
}
