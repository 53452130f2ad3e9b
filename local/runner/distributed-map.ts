// Distributed Map for the local runner. aws-local-stepfunctions 3.0 runs every Map inline (it ignores
// ItemProcessor.ProcessorConfig.Mode: one history, no child executions), so the runner replaces each
// `Mode: DISTRIBUTED` Map of its in-memory copy with a Task whose local handler does what Step Functions'
// Map Run does: it selects the items (ItemsPath, ItemSelector), starts one child execution of the same
// ItemProcessor per item (MaxConcurrency at once), each with its own context, history and quota checks, and
// returns the children's outputs in item order; one failed child fails the Map Run with
// States.ExceedToleratedFailureThreshold (ToleratedFailure* default 0) after stopping the others. The
// state's Retry, Catch, ResultSelector, ResultPath and Next stay as written.
import { ExecutionAbortedError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { quotaCrossed, type StateKinds, usageOf } from './history.js';
import type { ExecutionEvent, ExecutionUsageRecord, JsonValue } from './types.js';

export const LOCAL_DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributedMap';

type State = Record<string, unknown>;
type Machine = { States: Record<string, State> };

/** A Distributed Map state taken out of the definition, by state name. */
export interface DistributedMapSpec {
  name: string;
  state: State;
  processor: Machine;
}

/**
 * Replaces every top-level DISTRIBUTED Map with a local Task (in place) and returns the Maps. A Distributed
 * Map inside an item processor is refused: the workflow has none and the runner would need nested contexts.
 */
export function extractDistributedMaps(definition: Machine): DistributedMapSpec[] {
  const found: DistributedMapSpec[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const processor = state.ItemProcessor as (Machine & { ProcessorConfig?: { Mode?: string } }) | undefined;
    if (state.Type !== 'Map' || processor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') continue;
    if (state.ItemReader || state.ItemBatcher || state.ResultWriter) {
      throw new Error(
        `local runner: ${name} uses ItemReader/ItemBatcher/ResultWriter, which it does not run`,
      );
    }
    if (JSON.stringify(processor.States).includes('"DISTRIBUTED"')) {
      throw new Error(`local runner: ${name} nests a Distributed Map, which it does not run`);
    }
    found.push({ name, state: { ...state }, processor });
    // A Map state has no timeout; the library gives a Task without TimeoutSeconds 60 s, so set one that
    // setTimeout can still hold (23 days).
    const task: State = {
      Type: 'Task',
      Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE,
      Parameters: { 'input.$': '$' },
      TimeoutSeconds: 2_000_000,
    };
    for (const key of [
      'Comment',
      'InputPath',
      'ResultSelector',
      'ResultPath',
      'OutputPath',
      'Retry',
      'Catch',
      'Next',
      'End',
    ]) {
      if (key in state) task[key] = state[key];
    }
    definition.States[name] = task;
  }
  return found;
}

/** `$`, `$.a.b` on the input, `$$.a.b` on the context; nothing else (the workflow needs nothing else). */
function readPath(path: string, input: unknown, context: unknown): unknown {
  if (/[[*?@(]/.test(path) || path.startsWith('States.'))
    throw new Error(`local runner: Distributed Map path ${path} is not supported`);
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [input, path.slice(1)];
  let value: unknown = root;
  for (const key of rest.split('.').filter(Boolean)) value = (value as Record<string, unknown> | null)?.[key];
  return value;
}

function evaluate(template: unknown, input: unknown, context: unknown): JsonValue {
  if (Array.isArray(template)) return template.map((t) => evaluate(t, input, context));
  if (template === null || typeof template !== 'object') return template as JsonValue;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = readPath(String(value), input, context) as JsonValue;
    else out[key] = evaluate(value, input, context);
  }
  return out;
}

export interface MapRunContext {
  /** the parent execution's context object (Execution.Id/Name/Input, StateMachine.Id) */
  context: { Execution: { Id: string; Name: string; Input: JsonValue } } & Record<string, unknown>;
  overrides: Record<string, unknown>;
  /** the overrides of one child execution (its Task events name it); default: `overrides` */
  overridesFor?: (childName: string) => Record<string, unknown>;
  kinds: StateKinds;
  signal: AbortSignal;
  /** every child's events (tagged with its execution name) for progress and the phase table */
  onChildEvent: (e: ExecutionEvent) => void;
  onChildDone: (usage: ExecutionUsageRecord) => void;
  /** a child execution started: its name and how to stop it alone (StopExecution on the child) */
  onChildStarted?: (name: string, stop: () => void) => void;
}

class MapRunFailed extends Error {
  override name = 'States.ExceedToleratedFailureThreshold';
}

const machines = new WeakMap<Machine, StateMachine>();

/** The local Task handler of one Distributed Map state. */
export function distributedMapHandler(spec: DistributedMapSpec, run: MapRunContext) {
  return async (rawInput: JsonValue): Promise<JsonValue> => {
    const input = (rawInput as { input: JsonValue }).input;
    const items = readPath(String(spec.state.ItemsPath ?? '$'), input, run.context);
    if (!Array.isArray(items)) throw new Error(`local runner: ${spec.name}: ItemsPath is not an array`);
    const max = spec.state.MaxConcurrencyPath
      ? Number(readPath(String(spec.state.MaxConcurrencyPath), input, run.context))
      : Number(spec.state.MaxConcurrency ?? 0);
    let machine = machines.get(spec.processor);
    if (!machine) {
      machine = new StateMachine(spec.processor as unknown as StateMachineDefinition, {
        validationOptions: { noValidate: true },
      });
      machines.set(spec.processor, machine);
    }
    const results: JsonValue[] = new Array(items.length);
    const aborts = new Set<() => void>();
    let failure: Error | undefined;
    const stopAll = () => {
      for (const abort of aborts) abort();
    };
    run.signal.addEventListener('abort', stopAll, { once: true });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length && !failure && !run.signal.aborted) {
        const index = next++;
        const itemContext = {
          ...run.context,
          Map: { Item: { Index: index, Value: items[index] as JsonValue } },
        };
        const childInput = spec.state.ItemSelector
          ? evaluate(spec.state.ItemSelector, input, itemContext)
          : (items[index] as JsonValue);
        const name = `${run.context.Execution.Name}:${spec.name}:${index}`;
        const outcome = await runChild(machine as StateMachine, name, childInput, run, aborts);
        if (outcome.error) {
          failure ??= new MapRunFailed(
            `child execution ${name} ${outcome.status}: ${outcome.error}${outcome.cause ? ` (${outcome.cause})` : ''}`,
          );
          stopAll();
        } else results[index] = outcome.output as JsonValue;
      }
    };
    const width = Math.max(1, Math.min(items.length, max > 0 ? max : items.length));
    try {
      await Promise.all(Array.from({ length: width }, worker));
    } finally {
      run.signal.removeEventListener('abort', stopAll);
    }
    if (run.signal.aborted) throw new ExecutionAbortedError();
    if (failure) throw failure;
    return results;
  };
}

async function runChild(
  machine: StateMachine,
  name: string,
  input: JsonValue,
  run: MapRunContext,
  aborts: Set<() => void>,
): Promise<{ status: string; output?: JsonValue; error?: string; cause?: string }> {
  const id = `${run.context.Execution.Id}/${name}`;
  const execution = machine.run(input, {
    context: {
      ...run.context,
      Execution: { Id: id, Name: name, Input: input, RedriveCount: 0 },
    },
    overrides: run.overridesFor?.(name) ?? run.overrides,
  });
  aborts.add(execution.abort);
  run.onChildStarted?.(name, execution.abort);
  const events: ExecutionEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      const e = { ...(event as unknown as ExecutionEvent), execution: name };
      events.push(e);
      run.onChildEvent(e);
    }
  })();
  let status = 'SUCCEEDED';
  let output: JsonValue | undefined;
  let error: string | undefined;
  let cause: string | undefined;
  try {
    output = (await execution.result) as JsonValue;
  } catch (e) {
    status = e instanceof ExecutionAbortedError ? 'ABORTED' : 'FAILED';
    const failed = events.findLast((x) => x.type === 'ExecutionFailed');
    error =
      status === 'ABORTED' ? 'States.Aborted' : (failed?.Error ?? (e instanceof Error ? e.name : 'Error'));
    cause = typeof failed?.Cause === 'string' ? failed.Cause : e instanceof Error ? e.message : undefined;
  } finally {
    aborts.delete(execution.abort);
  }
  await collecting;
  const usage = usageOf(events, run.kinds);
  const crossed = quotaCrossed(usage);
  if (crossed && !error) {
    status = 'FAILED';
    error = crossed.error;
    cause = crossed.cause;
  }
  run.onChildDone({ name, kind: 'child', status, ...usage, ...(error ? { error } : {}) });
  return error ? { status, error, ...(cause ? { cause } : {}) } : { status, output: output as JsonValue };
}
