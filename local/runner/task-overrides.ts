// One aws-local-stepfunctions `taskResourceLocalHandlers` entry per Task state, mimicking the AWS service
// integration the state's Resource names: lambda:invoke (Payload wrapper), a plain function ARN,
// events:putEvents (recorded, not sent) and their `.waitForTaskToken` variants (released locally).

import { lambdaTimeoutSeconds } from '../../statemachines/placeholders.js';
import { lambdaFunctionOf, type TaskStateInfo } from './asl.js';
import { lambdaContext } from './lambda-context.js';
import { toTaskError } from './lambda-errors.js';
import { stripLocalKeys } from './parity.js';
import { awaitRelease } from './release.js';
import type {
  Credentials,
  JsonValue,
  LambdaHandler,
  RecordedEvent,
  ReleaseMode,
  RunnerEvent,
  TaskHook,
} from './types.js';

export interface OverrideContext {
  handlers: Record<string, LambdaHandler>;
  secrets: Record<string, Credentials>;
  taskToken: string;
  release: ReleaseMode;
  timeScale: number;
  putEvents: RecordedEvent[];
  onEvent?: (e: RunnerEvent) => void;
  taskHook?: TaskHook;
  /** every handler invocation still running: an aborted execution leaves them behind, the runner awaits them */
  inFlight?: Set<Promise<unknown>>;
}

type Override = (input: JsonValue) => Promise<JsonValue>;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const WAIT_SUFFIX = '.waitForTaskToken';

const json = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value ?? null)) as JsonValue;

/** `$.a.b` against the task's effective input, as the library resolves TimeoutSecondsPath. */
function readPath(input: JsonValue, path: string): unknown {
  let value: unknown = input;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    value = (value as Record<string, unknown> | null)?.[key];
  }
  return value;
}

function timeoutMs(state: Record<string, unknown>, input: JsonValue): number | undefined {
  if (typeof state.TimeoutSeconds === 'number') return state.TimeoutSeconds * 1000;
  if (typeof state.TimeoutSecondsPath === 'string') {
    const seconds = readPath(input, state.TimeoutSecondsPath);
    if (typeof seconds === 'number') return seconds * 1000;
  }
  return undefined;
}

export function buildOverrides(tasks: TaskStateInfo[], ctx: OverrideContext): Record<string, Override> {
  const overrides: Record<string, Override> = {};
  for (const task of tasks) overrides[task.name] = overrideFor(task, ctx);
  return overrides;
}

function overrideFor(task: TaskStateInfo, ctx: OverrideContext): Override {
  const resource = String(task.definition.Resource ?? '');
  const waits = resource.endsWith(WAIT_SUFFIX);
  const release = (input: JsonValue): Promise<JsonValue> =>
    awaitRelease(ctx.release, {
      state: task.name,
      taskToken: ctx.taskToken,
      timeoutMs: timeoutMs(task.definition, input),
      timeScale: ctx.timeScale,
      onEvent: ctx.onEvent,
    });

  if (resource.startsWith(PUT_EVENTS)) {
    return async (rawInput) => {
      const input = stripLocalKeys(rawInput);
      const entries = ((input as { Entries?: JsonValue[] } | null)?.Entries ?? []) as JsonValue[];
      const recorded: RecordedEvent = {
        state: task.name,
        entries,
        ...(waits ? { taskToken: ctx.taskToken } : {}),
        at: Date.now(),
      };
      ctx.putEvents.push(recorded);
      ctx.onEvent?.({ kind: 'putEvents', event: recorded });
      if (waits) return release(rawInput);
      return {
        Entries: entries.map((_, i) => ({ EventId: `local-${recorded.at}-${i}` })),
        FailedEntryCount: 0,
      };
    };
  }

  const fn = lambdaFunctionOf(task.definition);
  const handler = fn ? ctx.handlers[fn] : undefined;
  if (!fn || !handler) {
    return async () => {
      throw new Error(`local runner: no handler for Task state ${task.name} (Resource ${resource})`);
    };
  }
  const wrapped = resource.startsWith(LAMBDA_INVOKE);
  let attempts = 0;
  return async (rawInput) => {
    const input = stripLocalKeys(rawInput);
    const payload = json(wrapped ? ((input as { Payload?: JsonValue } | null)?.Payload ?? {}) : input);
    const attempt = ++attempts;
    let result: unknown;
    try {
      await ctx.taskHook?.({ state: task.name, attempt, phase: 'before', payload });
      // As on AWS, the handler's clock is the function timeout the CDK stack derives from TimeoutSeconds.
      const taskMs = timeoutMs(task.definition, rawInput);
      const fnMs = taskMs === undefined ? undefined : lambdaTimeoutSeconds(taskMs / 1000) * 1000;
      const call = Promise.resolve(handler(payload, lambdaContext(fn, ctx.secrets, fnMs)));
      ctx.inFlight?.add(call);
      result = await call.finally(() => ctx.inFlight?.delete(call));
      await ctx.taskHook?.({ state: task.name, attempt, phase: 'after', payload, result });
    } catch (error) {
      throw toTaskError(error);
    }
    if (waits) return release(rawInput);
    // The optimized lambda:invoke integration returns the invocation response, not the bare result.
    return wrapped ? { ExecutedVersion: '$LATEST', Payload: json(result), StatusCode: 200 } : json(result);
  };
}
