// Definition tweaks that make aws-local-stepfunctions 3.0 behave as AWS does, applied to an in-memory copy.
//
// TimeoutSecondsPath: AWS reads it from the state's input; the library reads it from the *processed*
// Parameters (TaskStateAction.getTimeoutMs gets the Parameters output), so `$.leaseSeconds` fails with
// States.Runtime there. We carry the value through Parameters under a reserved key, point the path at
// it, and the task overrides strip the key before the resource sees its input.

export const TIMEOUT_KEY = '__localTimeoutSeconds';

type State = Record<string, unknown>;

export function adaptForLocal<T>(definition: T): T {
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  const visit = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, State> } | undefined)?.States;
    for (const state of Object.values(states ?? {})) {
      if (state.Type === 'Task') carryTimeoutPath(state);
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
