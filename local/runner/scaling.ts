// Retry pauses and Wait states at a time scale, so local runs keep AWS's shape without AWS's seconds.

import type { StateMachineDefinition } from 'aws-local-stepfunctions';

interface Scaled {
  retryIntervalOverrides?: Record<string, number[]>;
  waitTimeOverrides?: Record<string, number>;
}

/**
 * The library accepts one pause per retrier (no backoff, no jitter once overridden), so at scale 1
 * nothing is overridden and AWS semantics apply in full.
 */
export function scaledTimings(definition: StateMachineDefinition, timeScale: number): Scaled {
  if (timeScale === 1) return {};
  const retry: Record<string, number[]> = {};
  const wait: Record<string, number> = {};
  const visit = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
    for (const [name, state] of Object.entries(states ?? {})) {
      const retriers = state.Retry as { IntervalSeconds?: number }[] | undefined;
      if (retriers) retry[name] = retriers.map((r) => (r.IntervalSeconds ?? 1) * 1000 * timeScale);
      if (state.Type === 'Wait' && typeof state.Seconds === 'number')
        wait[name] = state.Seconds * 1000 * timeScale;
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return { retryIntervalOverrides: retry, waitTimeOverrides: wait };
}
