// runLocalWorkflow: the same ASL file as on AWS, run by aws-local-stepfunctions, its Tasks calling the
// real handlers in-process.

import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { clock } from '../../lambdas/vsphere/clock.js';
import { parseConfig } from '../../lambdas/workflow/config.js';
import {
  DEFAULT_ASL_PATH,
  lambdaFunctionOf,
  localSubstitutions,
  readAsl,
  substitute,
  taskStates,
} from './asl.js';
import { buildLocalSetup } from './config.js';
import { importHandlers } from './handlers.js';
import { inputDepthProblem } from './input-depth.js';
import { adaptForLocal } from './parity.js';
import { scaledTimings } from './scaling.js';
import { buildOverrides } from './task-overrides.js';
import { tearDownRun } from './tear-down-run.js';
import type {
  ExecutionEvent,
  JsonValue,
  LocalExecutionResult,
  RecordedEvent,
  RunLocalWorkflowOptions,
} from './types.js';

const machines = new Map<string, { definition: StateMachineDefinition; machine: StateMachine }>();

/** Validating a definition costs ~0.3 s (asl-validator), so each ASL text is validated once per process. */
function localMachine(aslPath = DEFAULT_ASL_PATH): {
  definition: StateMachineDefinition;
  machine: StateMachine;
} {
  const text = readAsl(aslPath);
  let entry = machines.get(text);
  if (!entry) {
    const definition = adaptForLocal(
      JSON.parse(substitute(text, localSubstitutions(text))) as StateMachineDefinition,
    );
    entry = { definition, machine: new StateMachine(definition) };
    machines.set(text, entry);
  }
  return entry;
}

/** Parses the ASL file with its placeholders replaced by local values. */
export function loadLocalDefinition(aslPath = DEFAULT_ASL_PATH): StateMachineDefinition {
  const text = readAsl(aslPath);
  return JSON.parse(substitute(text, localSubstitutions(text))) as StateMachineDefinition;
}

/**
 * Runs one execution locally. Sets process.env.WORKFLOW_CONFIG (and LOCAL_CREDENTIALS) for the handlers
 * before importing them; secrets reach the handlers only through the invocation context.
 */
export async function runLocalWorkflow(options: RunLocalWorkflowOptions): Promise<LocalExecutionResult> {
  const name = options.name ?? `local-${Date.now()}-${randomUUID().slice(0, 8)}`;
  // A release Promise may reject before the run reaches its wait; the wait still sees the rejection (as a
  // SendTaskFailure), but Node must not report it as unhandled in the meantime.
  if (options.release instanceof Promise) options.release.catch(() => {});
  const timeScale = options.timeScale ?? 1;
  const setup = buildLocalSetup(options);
  const tooDeep = inputDepthProblem(options.input);
  if (tooDeep) {
    const now = Date.now();
    return {
      name,
      status: 'FAILED',
      error: 'InvalidRequest',
      cause: tooDeep,
      events: [],
      putEvents: [],
      startedAt: now,
      stoppedAt: now,
    };
  }
  process.env.WORKFLOW_CONFIG = JSON.stringify(setup.config);
  process.env.LOCAL_CREDENTIALS = '1';
  clock.setScale(timeScale);

  const { definition, machine } = localMachine(options.aslPath);
  const tasks = taskStates(definition as unknown as Record<string, unknown>);
  const functions = [
    ...new Set(tasks.map((t) => lambdaFunctionOf(t.definition)).filter((f) => f !== undefined)),
  ];
  const handlers = await importHandlers(functions, options.handlers);

  const taskToken = `local-token-${name}`;
  const putEvents: RecordedEvent[] = [];
  const events: ExecutionEvent[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const startedAt = Date.now();
  const execution = machine.run(options.input, {
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:000000000000:execution:instant-clone-local:${name}`,
        Name: name,
      },
      StateMachine: { Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:instant-clone-local' },
      Task: { Token: taskToken },
    },
    overrides: {
      taskResourceLocalHandlers: buildOverrides(tasks, {
        handlers,
        secrets: setup.secrets,
        taskToken,
        executionName: name,
        release: options.release ?? 'immediate',
        timeScale,
        putEvents,
        onEvent: options.onEvent,
        taskHook: options.taskHook,
        inFlight,
      }),
      ...scaledTimings(definition, timeScale),
    },
  });
  if (options.signal?.aborted) execution.abort();
  else options.signal?.addEventListener('abort', () => execution.abort(), { once: true });

  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as unknown as ExecutionEvent;
      events.push(e);
      options.onEvent?.({ kind: 'execution', event: e });
    }
  })();

  const base = { name, events, putEvents, startedAt };
  const result = await outcome();
  if (!endedWithoutTeardown(result)) return result;
  // As a Lambda goes on after StopExecution, the handlers still running may yet create a clone: let them end
  // before the run-scoped teardown looks for the run's clones.
  await Promise.allSettled([...inFlight]);
  options.onEvent?.({ kind: 'teardown', phase: 'started', status: result.status, remaining: [] });
  try {
    const teardown = await tearDownRun(
      setup.target,
      parseConfig(JSON.stringify(setup.config)),
      name,
      (remaining) =>
        options.onEvent?.({ kind: 'teardown', phase: 'progress', status: result.status, remaining }),
    );
    return { ...result, teardown, stoppedAt: Date.now() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...result, teardown: { destroyed: [], failed: [{ name: '(search)', error: message }] } };
  }

  async function outcome(): Promise<LocalExecutionResult> {
    try {
      const output = (await execution.result) as JsonValue;
      await collecting;
      const tooLarge = dataLimitExceeded(events);
      if (tooLarge) return { ...base, ...tooLarge, stoppedAt: Date.now() };
      return { ...base, status: 'SUCCEEDED', output, stoppedAt: Date.now() };
    } catch (error) {
      await collecting;
      const stoppedAt = Date.now();
      const tooLarge = dataLimitExceeded(events);
      if (tooLarge) return { ...base, ...tooLarge, stoppedAt };
      if (error instanceof ExecutionAbortedError) return { ...base, status: 'ABORTED', stoppedAt };
      if (error instanceof ExecutionTimeoutError) {
        return { ...base, status: 'TIMED_OUT', error: 'States.Timeout', stoppedAt };
      }
      const failed = events.findLast((e) => e.type === 'ExecutionFailed');
      return {
        ...base,
        status: 'FAILED',
        error: failed?.Error ?? (error instanceof Error ? error.name : 'Error'),
        cause: causeText(failed?.Cause ?? (error instanceof Error ? error.message : String(error))),
        stoppedAt,
      };
    }
  }
}

/**
 * The execution ended without passing FinishRun (stopped, timed out, or failed outside the workflow's own
 * catches, e.g. States.DataLimitExceeded or a failed FinishRun). On AWS the stack's execution-status rule
 * invokes the run-scoped teardown for ABORTED, TIMED_OUT and FAILED; locally a FAILED run that went through
 * FinishRun has had its teardown already, so only the others are torn down here.
 */
function endedWithoutTeardown(result: LocalExecutionResult): boolean {
  if (result.status === 'ABORTED' || result.status === 'TIMED_OUT') return true;
  if (result.status !== 'FAILED') return false;
  if (result.error === 'States.DataLimitExceeded') return true;
  return !result.events.some((e) => e.type === 'StateExited' && e.state?.name === 'FinishRun');
}

/** AWS's payload quota for a state's input and output (and an execution's input), in UTF-8 bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * aws-local-stepfunctions has no payload quota. AWS fails the execution with States.DataLimitExceeded (which
 * no Catch, not even States.ALL, handles) as soon as a state's input or output exceeds 256 KiB, so a run that
 * crossed it here is reported as that failure even though the library carried on.
 */
function dataLimitExceeded(
  events: ExecutionEvent[],
): { status: 'FAILED'; error: string; cause: string } | undefined {
  for (const e of events) {
    for (const [what, value] of [
      ['input', e.state?.input],
      ['output', e.state?.output],
    ] as const) {
      if (value === undefined) continue;
      const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
      if (bytes > MAX_PAYLOAD_BYTES) {
        return {
          status: 'FAILED',
          error: 'States.DataLimitExceeded',
          cause: `The ${what} of state ${e.state?.name} is ${bytes} bytes, above the ${MAX_PAYLOAD_BYTES}-byte quota.`,
        };
      }
    }
  }
  return undefined;
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}
