// One aws-local-stepfunctions `taskResourceLocalHandlers` entry per Task state, mimicking the AWS service
// integration the state's Resource names: lambda:invoke (Payload wrapper), a plain function ARN,
// events:putEvents (recorded, not sent) and their `.waitForTaskToken` variants (released locally).

import { lambdaTimeoutSeconds } from '../../statemachines/placeholders.js';
import { lambdaFunctionOf, type TaskStateInfo } from './asl.js';
import { lambdaContext } from './lambda-context.js';
import { LocalTaskError, toTaskError } from './lambda-errors.js';
import { readsRetryCount, stripLocalKeys, withRetryCount } from './parity.js';
import { awaitRelease } from './release.js';
import type {
  JsonValue,
  LambdaHandler,
  RecordedEvent,
  ReleaseMode,
  RunnerEvent,
  TaskEvent,
  TaskHook,
} from './types.js';

export interface OverrideContext {
  handlers: Record<string, LambdaHandler>;
  /** `$$.Task.Token` as the library resolves it; each wait gets its own token in the tokens release mode */
  taskToken: string;
  executionName: string;
  release: ReleaseMode;
  timeScale: number;
  putEvents: RecordedEvent[];
  onEvent?: (e: RunnerEvent) => void;
  taskHook?: TaskHook;
  /** Lambda invocations still running: they go on after an abort, as a Lambda does after StopExecution */
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

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → lambda / invoke.waitForTaskToken. */
function resourceParts(resource: string): { resourceType: string; resource: string } {
  const m = /^arn:aws:states:::([\w-]+):(.+)$/.exec(resource);
  return m
    ? { resourceType: m[1] as string, resource: m[2] as string }
    : { resourceType: 'lambda', resource: 'invoke' };
}

/** Replaces the run-wide `$$.Task.Token` value with this wait's own token, wherever Parameters put it. */
function withToken(value: JsonValue, from: string, to: string): JsonValue {
  if (from === to) return value;
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => withToken(v, from, to));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withToken(v, from, to)]));
  }
  return value;
}

let attemptIds = 0;

function overrideFor(task: TaskStateInfo, ctx: OverrideContext): Override {
  const resource = String(task.definition.Resource ?? '');
  const waits = resource.endsWith(WAIT_SUFFIX);
  const parts = resourceParts(resource);
  const tokens = typeof ctx.release === 'object' && 'tokens' in ctx.release ? ctx.release.tokens : undefined;
  const report = (attemptId: number, e: TaskEvent): void =>
    ctx.onEvent?.({ kind: 'task', state: task.name, ...parts, attemptId, ...e } as RunnerEvent);
  /** `$$.State.RetryCount` (parity.ts): earlier invocations of this state with the same input, this execution. */
  const invocations = new Map<string, number>();
  const withStateRetryCount = (rawInput: JsonValue): JsonValue => {
    if (!readsRetryCount(rawInput)) return rawInput;
    const key = JSON.stringify(rawInput);
    const retryCount = invocations.get(key) ?? 0;
    invocations.set(key, retryCount + 1);
    return withRetryCount(rawInput, retryCount);
  };
  const release = (input: JsonValue, taskToken: string): Promise<JsonValue> =>
    awaitRelease(ctx.release, {
      state: task.name,
      taskToken,
      execution: ctx.executionName,
      timeoutMs: timeoutMs(task.definition, input),
      timeScale: ctx.timeScale,
      onEvent: ctx.onEvent,
    });
  /** Issues the wait's token and reports the attempt as scheduled (the token is in its parameters, as on AWS). */
  const schedule = async (rawInput: JsonValue): Promise<{ input: JsonValue; token: string; id: number }> => {
    // Let the library's StateEntered reach the event log first, so history keeps AWS's order.
    await new Promise((r) => setImmediate(r));
    const token = waits && tokens ? tokens.issue(ctx.executionName) : ctx.taskToken;
    const input = withToken(stripLocalKeys(withStateRetryCount(rawInput)), ctx.taskToken, token);
    const id = ++attemptIds;
    const ms = timeoutMs(task.definition, rawInput);
    report(id, {
      phase: 'scheduled',
      parameters: input,
      ...(ms === undefined ? {} : { timeoutSeconds: Math.round(ms / 1000) }),
    });
    return { input, token, id };
  };
  /** Runs the wait and reports how the attempt ended. */
  const settle = async (id: number, work: () => Promise<JsonValue>): Promise<JsonValue> => {
    try {
      const output = await work();
      report(id, { phase: 'succeeded', output });
      return output;
    } catch (error) {
      if (error instanceof Error && error.name === 'States.Timeout') report(id, { phase: 'timedOut' });
      else {
        const e = error instanceof LocalTaskError ? error : toTaskError(error);
        report(id, { phase: 'failed', error: e.name, cause: e.message });
      }
      throw error;
    }
  };

  if (resource.startsWith(PUT_EVENTS)) {
    return async (rawInput) => {
      const { input, token, id } = await schedule(rawInput);
      const entries = ((input as { Entries?: JsonValue[] } | null)?.Entries ?? []) as JsonValue[];
      const recorded: RecordedEvent = {
        state: task.name,
        entries,
        ...(waits ? { taskToken: token } : {}),
        at: Date.now(),
      };
      ctx.putEvents.push(recorded);
      ctx.onEvent?.({ kind: 'putEvents', event: recorded });
      if (waits) return settle(id, () => release(rawInput, token));
      return settle(id, async () => ({
        Entries: entries.map((_, i) => ({ EventId: `local-${recorded.at}-${i}` })),
        FailedEntryCount: 0,
      }));
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
    const { input, token, id } = await schedule(rawInput);
    const payload = json(wrapped ? ((input as { Payload?: JsonValue } | null)?.Payload ?? {}) : input);
    const attempt = ++attempts;
    // On AWS the token is valid from the moment the task is scheduled, even while the function still runs.
    const released = waits ? release(rawInput, token) : undefined;
    released?.catch(() => {});
    return settle(id, async () => {
      let result: unknown;
      try {
        await ctx.taskHook?.({ state: task.name, attempt, phase: 'before', payload });
        // As on AWS, the handler's clock is the function timeout the CDK stack derives from TimeoutSeconds.
        const taskMs = waits ? undefined : timeoutMs(task.definition, rawInput);
        const fnMs = taskMs === undefined ? undefined : lambdaTimeoutSeconds(taskMs / 1000) * 1000;
        const context = lambdaContext(fn, fnMs, {
          localPutEvents: localPutEvents(task.name, ctx),
        });
        const invocation = Promise.resolve(handler(payload, context));
        ctx.inFlight?.add(invocation);
        try {
          result = await invocation;
        } finally {
          ctx.inFlight?.delete(invocation);
        }
        await ctx.taskHook?.({ state: task.name, attempt, phase: 'after', payload, result });
      } catch (error) {
        if (waits) tokens?.drop(token);
        throw toTaskError(error);
      }
      // The optimized lambda:invoke integration returns the invocation response, not the bare result.
      const response = wrapped
        ? { ExecutedVersion: '$LATEST', Payload: json(result), StatusCode: 200 }
        : json(result);
      if (!released) return response;
      report(id, { phase: 'submitted', output: response });
      return released;
    });
  };
}

/** What a handler's `putEvents` does locally: recorded like the ASL's own putEvents tasks. */
function localPutEvents(state: string, ctx: OverrideContext) {
  return async (entries: unknown[]): Promise<void> => {
    const recorded: RecordedEvent = { state, entries: json(entries) as JsonValue[], at: Date.now() };
    ctx.putEvents.push(recorded);
    ctx.onEvent?.({ kind: 'putEvents', event: recorded });
  };
}
