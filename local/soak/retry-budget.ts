// What the ASL allows, read from the very file the stack deploys: which Task states call a Lambda (the
// runtime triggers of the soak's faults) and how many attempts a state gets for an error (its retry budget).
import { lambdaFunctionOf, taskStates } from '../runner/asl.js';
import { loadLocalDefinition } from '../runner/index.js';

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
}

const definition = loadLocalDefinition() as unknown as Record<string, unknown>;
const tasks = taskStates(definition);

/** Task states that invoke a Lambda, in the ASL's order (taskHook sees exactly these). */
export const LAMBDA_STATES: readonly string[] = tasks
  .filter((t) => lambdaFunctionOf(t.definition) !== undefined)
  .map((t) => t.name);

/** The states that destroy clones; a clone is reported leaked when one of them gives up. */
export const TEARDOWN_STATES = ['TeardownClone', 'DiscardFailedClone'] as const;

/**
 * Attempts the state makes for this error before its Catch takes over: the first retrier that matches
 * (States.ALL, States.TaskFailed for any error not named States.*, or the name itself) gives
 * MaxAttempts (default 3, as on AWS) retries after the first attempt; no matching retrier gives 1.
 */
export function attemptsAllowed(state: string, error: string): number {
  const retriers = (tasks.find((t) => t.name === state)?.definition.Retry ?? []) as Retrier[];
  const matches = (r: Retrier): boolean =>
    r.ErrorEquals.includes(error) ||
    r.ErrorEquals.includes('States.ALL') ||
    (r.ErrorEquals.includes('States.TaskFailed') && !error.startsWith('States.'));
  const retrier = retriers.find(matches);
  return retrier ? 1 + (retrier.MaxAttempts ?? 3) : 1;
}

/** The most attempts any teardown state allows for any error: a fault lasting this long can leak a clone. */
export function largestTeardownBudget(errors: readonly string[]): number {
  return Math.max(...TEARDOWN_STATES.flatMap((s) => errors.map((e) => attemptsAllowed(s, e))));
}
