// How Step Functions counts an execution's history events (quota: 25,000 per execution), as this project models
// it (ADR 0005). The local runner counts real runs with it; ValidateRequest's budgets use its worst case.
//
// - an execution: ExecutionStarted + ExecutionSucceeded/Failed/Aborted/TimedOut
// - a Task state: TaskStateEntered + TaskStateExited, and per attempt TaskScheduled + TaskStarted +
//   TaskSucceeded/TaskFailed/TaskTimedOut; a `.waitForTaskToken` task adds TaskSubmitted
// - a Pass, Choice, Wait, Succeed or Fail state: …StateEntered + …StateExited
// - an inline Map state: MapStateEntered + MapStateStarted + MapStateSucceeded/Failed + MapStateExited, and per
//   iteration MapIterationStarted + MapIterationSucceeded/Failed (the iteration's states count as above, in the
//   same history)
// - a Distributed Map state: MapStateEntered + MapRunStarted + MapRunSucceeded/Failed + MapStateExited in the
//   parent; each child execution has its own history

export const HISTORY_EVENTS_QUOTA = 25_000;
export const EVENTS_PER_EXECUTION = 2;
export const EVENTS_PER_STATE = 2;
export const EVENTS_PER_TASK_ATTEMPT = 3;
export const EVENTS_PER_MAP_STATE = 4;
export const EVENTS_PER_MAP_ITERATION = 2;
export const EVENTS_PER_DISTRIBUTED_MAP_STATE = 4;
export const EVENTS_PER_TASK_SUBMITTED = 1;

interface Retrier {
  MaxAttempts?: number;
}

/** The most attempts a Task can make: one, plus every retrier's MaxAttempts (default 3) used up. */
export function worstCaseAttempts(retry: Retrier[] | undefined): number {
  return 1 + (retry ?? []).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0);
}

/** Worst-case events of one state (a Map's own events only, not its iterations'). */
export function worstCaseStateEvents(state: Record<string, unknown>): number {
  if (state.Type === 'Task') {
    const waits = String(state.Resource ?? '').endsWith('.waitForTaskToken');
    return (
      EVENTS_PER_STATE +
      EVENTS_PER_TASK_ATTEMPT * worstCaseAttempts(state.Retry as Retrier[] | undefined) +
      (waits ? EVENTS_PER_TASK_SUBMITTED : 0)
    );
  }
  if (state.Type === 'Map') return EVENTS_PER_MAP_STATE;
  return EVENTS_PER_STATE;
}

/**
 * Worst case for one pass through a state machine's States, each state once (an upper bound of any path but the
 * lease loop, SetLease ⇄ Ready, which budgets.ts counts per extension); nested inline Maps count `itemsPerMap` iterations, Distributed Maps only their
 * own events.
 */
export function worstCaseEvents(
  machine: { States: Record<string, Record<string, unknown>> },
  itemsPerMap: number,
): number {
  let n = 0;
  for (const state of Object.values(machine.States)) {
    n += worstCaseStateEvents(state);
    const processor = state.ItemProcessor as
      | { ProcessorConfig?: { Mode?: string }; States: Record<string, Record<string, unknown>> }
      | undefined;
    if (state.Type === 'Map' && processor && processor.ProcessorConfig?.Mode !== 'DISTRIBUTED') {
      n += itemsPerMap * (EVENTS_PER_MAP_ITERATION + worstCaseEvents(processor, itemsPerMap));
    }
  }
  return n;
}
