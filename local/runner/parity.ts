// Definition tweaks that make aws-local-stepfunctions 3.0 behave as AWS does, applied to an in-memory copy.
//
// TimeoutSecondsPath: AWS reads it from the state's input; the library reads it from the *processed*
// Parameters (TaskStateAction.getTimeoutMs gets the Parameters output), so `$.leaseSeconds` fails with
// States.Runtime there. We carry the value through Parameters under a reserved key, point the path at
// it, and the task overrides strip the key before the resource sees its input.
//
// `$$.State.RetryCount`: the library's context object has no State node (a `$$.State.…` path fails with
// States.Runtime). A Parameters entry that reads it is replaced by a placeholder string, which the task overrides
// replace with how many times the state was invoked before with the same input in this execution: a retry sees
// the same input (a loop that enters a state twice with the same input counts as a retry, the safe direction).

export const TIMEOUT_KEY = '__localTimeoutSeconds';
export const RETRY_COUNT_PATH = '$$.State.RetryCount';
const RETRY_COUNT_PLACEHOLDER = '__localStateRetryCount';

type State = Record<string, unknown>;

export function adaptForLocal<T>(definition: T): T {
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  const visit = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, State> } | undefined)?.States;
    for (const state of Object.values(states ?? {})) {
      if (state.Type === 'Task') {
        carryTimeoutPath(state);
        state.Parameters = withRetryCountPlaceholder(state.Parameters);
      }
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(copy);
  return copy;
}

function carryTimeoutPath(state: State): void {
  const path = state.TimeoutSecondsPath;
  const params = state.Parameters;
  if (typeof path !== 'string' || params === undefined) return;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return;
  state.Parameters = { ...params, [`${TIMEOUT_KEY}.$`]: path };
  state.TimeoutSecondsPath = `$.${TIMEOUT_KEY}`;
}

/** The task input without the reserved key (what AWS would hand the resource). */
export function stripLocalKeys<T>(input: T): T {
  if (typeof input !== 'object' || input === null || !(TIMEOUT_KEY in input)) return input;
  const { [TIMEOUT_KEY]: _, ...rest } = input as Record<string, unknown>;
  return rest as T;
}

function withRetryCountPlaceholder(template: unknown): unknown {
  if (Array.isArray(template)) return template.map(withRetryCountPlaceholder);
  if (typeof template !== 'object' || template === null) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === RETRY_COUNT_PATH) out[key.slice(0, -2)] = RETRY_COUNT_PLACEHOLDER;
    else out[key] = withRetryCountPlaceholder(value);
  }
  return out;
}

/** Whether a task input carries the retry count placeholder (only then is it counted). */
export function readsRetryCount(input: unknown): boolean {
  return JSON.stringify(input ?? null).includes(`"${RETRY_COUNT_PLACEHOLDER}"`);
}

/** The task input with `$$.State.RetryCount`'s placeholder replaced by `retryCount`. */
export function withRetryCount<T>(input: T, retryCount: number): T {
  const fill = (value: unknown): unknown => {
    if (value === RETRY_COUNT_PLACEHOLDER) return retryCount;
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  };
  return fill(input) as T;
}
