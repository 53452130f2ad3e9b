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
import { buildLocalSetup, secretStrings } from './config.js';
import {
  type DistributedMapSpec,
  distributedMapHandler,
  extractDistributedMaps,
  type MapRunContext,
} from './distributed-map.js';
import { importHandlers } from './handlers.js';
import { MAX_PAYLOAD_BYTES, quotaCrossed, type StateKinds, usageOf } from './history.js';
import { inputDepthProblem } from './input-depth.js';
import { adaptForLocal } from './parity.js';
import { type PermitStore, startPermitStore } from './permit-store.js';
import { scaledTimings } from './scaling.js';
import { shareSecretsExtension } from './secrets-extension.js';
import { buildOverrides } from './task-overrides.js';
import { tearDownRun } from './tear-down-run.js';
import type {
  ExecutionEvent,
  ExecutionUsageRecord,
  JsonValue,
  LocalExecutionResult,
  RecordedEvent,
  RunLocalWorkflowOptions,
} from './types.js';

interface LocalMachine {
  /** the adapted definition, Distributed Maps included (every Task, nested ones too) */
  definition: StateMachineDefinition;
  /** the parent's machine: Distributed Maps replaced by local Tasks (distributed-map.ts) */
  machine: StateMachine;
  maps: DistributedMapSpec[];
  kinds: StateKinds;
}

const machines = new Map<string, LocalMachine>();

/** Validating a definition costs ~0.3 s (asl-validator), so each ASL text is validated once per process. */
function localMachine(aslPath = DEFAULT_ASL_PATH): LocalMachine {
  const text = readAsl(aslPath);
  let entry = machines.get(text);
  if (!entry) {
    const definition = adaptForLocal(
      JSON.parse(substitute(text, localSubstitutions(text))) as StateMachineDefinition,
    );
    const parent = JSON.parse(JSON.stringify(definition)) as {
      States: Record<string, Record<string, unknown>>;
    };
    const maps = extractDistributedMaps(parent);
    const waits = taskStates(definition as unknown as Record<string, unknown>)
      .filter((t) => String(t.definition.Resource ?? '').endsWith('.waitForTaskToken'))
      .map((t) => t.name);
    entry = {
      definition,
      machine: new StateMachine(parent as unknown as StateMachineDefinition),
      maps,
      kinds: { distributedMaps: new Set(maps.map((m) => m.name)), waitForTaskToken: new Set(waits) },
    };
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
 * Runs one execution locally. Sets process.env.WORKFLOW_CONFIG for the handlers before importing them; they
 * fetch their secrets from the process's local Parameters and Secrets extension, as on AWS (ADR 0010).
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
      executions: [],
      putEvents: [],
      startedAt: now,
      stoppedAt: now,
    };
  }
  process.env.WORKFLOW_CONFIG = JSON.stringify(setup.config);
  clock.setScale(timeScale);
  // The throttle's permits live in a real DynamoDB implementation, as on AWS in a table of the stack.
  const ownStore = options.permits ? undefined : await startPermitStore();
  const permits = options.permits ?? (ownStore as PermitStore);
  process.env.PERMIT_TABLE_NAME = permits.tableName;
  process.env.PERMIT_TABLE_ENDPOINT = permits.endpoint;
  const inFlight = new Set<Promise<unknown>>();
  const releaseSecrets = await shareSecretsExtension(secretStrings(setup));
  try {
    const result = await runWithPermits(options, name, timeScale, inFlight);
    if (!endedWithoutTeardown(result)) return result;
    // As a Lambda goes on after StopExecution, the handlers still running may yet create a clone: let them
    // end before the run-scoped teardown looks for the run's clones (children's clones carry the same marker).
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
  } finally {
    // An aborted execution leaves its running handlers behind: let them finish (their clones exist then, for
    // whoever tears the run down) before the permit table goes away under them.
    await Promise.allSettled([...inFlight]);
    await ownStore?.stop();
    await releaseSecrets();
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
  if (result.error === 'States.DataLimitExceeded' || result.error === 'States.Runtime') return true;
  return !result.events.some(
    (e) => e.type === 'StateExited' && e.state?.name === 'FinishRun' && !e.execution,
  );
}

async function runWithPermits(
  options: RunLocalWorkflowOptions,
  name: string,
  timeScale: number,
  inFlight: Set<Promise<unknown>>,
): Promise<LocalExecutionResult> {
  const { definition, machine, maps, kinds } = localMachine(options.aslPath);
  const tasks = taskStates(definition as unknown as Record<string, unknown>);
  const functions = [
    ...new Set(tasks.map((t) => lambdaFunctionOf(t.definition)).filter((f) => f !== undefined)),
  ];
  const handlers = await importHandlers(functions, options.handlers);

  const taskToken = `local-token-${name}`;
  const putEvents: RecordedEvent[] = [];
  const events: ExecutionEvent[] = [];
  const startedAt = Date.now();
  const context = {
    Execution: {
      Id: `arn:aws:states:us-east-1:000000000000:execution:instant-clone-local:${name}`,
      Name: name,
      Input: options.input,
      RedriveCount: 0,
    },
    StateMachine: { Id: 'arn:aws:states:us-east-1:000000000000:stateMachine:instant-clone-local' },
    Task: { Token: taskToken },
  };
  const children: ExecutionUsageRecord[] = [];
  const stopChildren = new AbortController();
  const overrideContext = {
    handlers,
    taskToken,
    executionName: name,
    release: options.release ?? 'immediate',
    timeScale,
    putEvents,
    onEvent: options.onEvent,
    taskHook: options.taskHook,
    inFlight,
  };
  const overrides: Record<string, unknown> = {
    taskResourceLocalHandlers: buildOverrides(tasks, overrideContext),
    ...scaledTimings(definition, timeScale),
  };
  /** A child's Task events carry its name, so that the parent's history (local AWS endpoint) leaves them out. */
  const overridesFor = (child: string): Record<string, unknown> => ({
    ...overrides,
    taskResourceLocalHandlers: buildOverrides(tasks, {
      ...overrideContext,
      onEvent: (e) => options.onEvent?.(e.kind === 'task' ? { ...e, execution: child } : e),
    }),
  });
  const mapRun: MapRunContext = {
    context,
    overrides,
    overridesFor,
    kinds,
    signal: stopChildren.signal,
    onChildEvent: (e) => {
      events.push(e);
      options.onEvent?.({ kind: 'execution', event: e });
    },
    onChildStarted: (child, stop) => options.childStops?.set(child, stop),
    onChildDone: (usage) => {
      children.push(usage);
      options.onEvent?.({ kind: 'childExecution', usage });
    },
  };
  const handlersByState = overrides.taskResourceLocalHandlers as Record<string, unknown>;
  for (const spec of maps) handlersByState[spec.name] = distributedMapHandler(spec, mapRun);
  const execution = machine.run(options.input, {
    context,
    overrides: overrides as Parameters<StateMachine['run']>[1] extends { overrides?: infer O } ? O : never,
  });
  const stop = () => {
    stopChildren.abort();
    execution.abort();
  };
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });

  const own: ExecutionEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as unknown as ExecutionEvent;
      own.push(e);
      events.push(e);
      options.onEvent?.({ kind: 'execution', event: e });
    }
  })();

  const executions = (status: string): ExecutionUsageRecord[] => [
    { name, kind: 'parent', status, ...usageOf(own, kinds) },
    ...children,
  ];
  /** A quota crossed by any execution fails the run loudly, whatever the library made of it. */
  const overQuota = (status: string) => {
    const all = executions(status);
    for (const x of all) {
      const crossed = quotaCrossed(x);
      if (crossed)
        return {
          status: 'FAILED' as const,
          error: crossed.error,
          cause: `${x.name}: ${crossed.cause}`,
          executions: all,
        };
    }
    return undefined;
  };
  const base = { name, events, putEvents, startedAt };
  try {
    const output = (await execution.result) as JsonValue;
    await collecting;
    const tooLarge = overQuota('SUCCEEDED');
    if (tooLarge) return { ...base, ...tooLarge, stoppedAt: Date.now() };
    return {
      ...base,
      status: 'SUCCEEDED',
      output,
      executions: executions('SUCCEEDED'),
      stoppedAt: Date.now(),
    };
  } catch (error) {
    stopChildren.abort();
    await collecting;
    const stoppedAt = Date.now();
    const tooLarge = overQuota('FAILED');
    if (tooLarge) return { ...base, ...tooLarge, stoppedAt };
    if (error instanceof ExecutionAbortedError)
      return { ...base, status: 'ABORTED', executions: executions('ABORTED'), stoppedAt };
    if (error instanceof ExecutionTimeoutError) {
      return {
        ...base,
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        executions: executions('TIMED_OUT'),
        stoppedAt,
      };
    }
    const failed = events.findLast((e) => e.type === 'ExecutionFailed');
    return {
      ...base,
      status: 'FAILED',
      error: failed?.Error ?? (error instanceof Error ? error.name : 'Error'),
      cause: causeText(failed?.Cause ?? (error instanceof Error ? error.message : String(error))),
      executions: executions('FAILED'),
      stoppedAt,
    };
  }
}

export { MAX_PAYLOAD_BYTES };

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}
