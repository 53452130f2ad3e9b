// Starting a run from an idempotency key (attaching to the one that exists), following it, and stopping it.
import { isDeepStrictEqual } from 'node:util';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type HistoryEvent,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionArnOf, executionNameForKey, runIdOf } from '../lambdas/workflow/run-ref.js';
import { CliError, EXIT } from './exit-codes.js';
import { RunFollower } from './history.js';
import { SIGNAL_EXIT, type StopSignal } from './interrupt.js';
import { apiError, causeMessage, type Sfn, sleep } from './sfn.js';

export interface StartedRun {
  executionArn: string;
  executionName: string;
  runId: string;
  /** true when the key named a run that already existed (a retried acquire) */
  attached: boolean;
}

/**
 * The run named after the key: an existing one with this request is attached to (a retried acquire); otherwise
 * StartExecution. A key that names a run with another request is a usage error, never a second fleet.
 */
export async function startRun(
  client: Sfn,
  stateMachineArn: string,
  key: string,
  request: unknown,
): Promise<StartedRun> {
  const executionName = executionNameForKey(key);
  const executionArn = executionArnOf(stateMachineArn, executionName);
  const input = JSON.stringify(request);
  const runId = runIdOf(executionName);
  const attach = async (): Promise<StartedRun | undefined> => {
    let existing: { input?: string | undefined };
    try {
      existing = await client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw apiError(error, 'DescribeExecution');
    }
    let same = false;
    try {
      same = isDeepStrictEqual(JSON.parse(existing.input ?? 'null'), request);
    } catch {
      same = false;
    }
    if (!same) {
      throw new CliError(
        `the key '${key}' already names run ${runId} (${executionArn}) with another request; ` +
          'give each fleet its own --key (e.g. add the matrix values in a matrix job)',
        EXIT.usage,
      );
    }
    return { executionArn, executionName, runId, attached: true };
  };
  const existing = await attach();
  if (existing) return existing;
  try {
    // Same name and input while running: Step Functions returns that execution (a concurrent retry).
    await client.send(new StartExecutionCommand({ stateMachineArn, name: executionName, input }));
    return { executionArn, executionName, runId, attached: false };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw apiError(error, 'StartExecution');
  }
  const raced = await attach();
  if (!raced) throw new CliError(`StartExecution said ${executionName} exists, but it does not`, EXIT.api);
  return raced;
}

/** StopExecution: the run goes to ABORTED and its clones are torn down (ADR 0004 §5). Already ended is fine. */
export async function stopRun(
  client: Sfn,
  executionArn: string,
  error: string,
  cause: string,
): Promise<void> {
  try {
    await client.send(new StopExecutionCommand({ executionArn, error, cause }));
  } catch (e) {
    const name = (e as Error).name;
    if (name !== 'ExecutionDoesNotExist') throw apiError(e, 'StopExecution');
  }
}

export interface FollowOptions<T> {
  signal: AbortSignal;
  /** epoch ms after which following gives up (exit 3; the run is stopped) */
  deadline: number;
  pollMs: number;
  /** called with the whole history after each poll, and the fan-out's child histories by name */
  onHistory?: (
    history: readonly HistoryEvent[],
    children: ReadonlyMap<string, readonly HistoryEvent[]>,
  ) => void | Promise<void>;
  /** what the verb waits for; undefined = keep waiting */
  until: (history: readonly HistoryEvent[]) => T | undefined;
  /** the verb's name, for the stop cause */
  verb: string;
}

const END = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

export interface Ended {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  error?: string;
  cause?: string;
  output?: string;
}

/** The execution's end, if the history has it. */
export function endOf(history: readonly HistoryEvent[]): Ended | undefined {
  const last = history.findLast((e) => END.has(String(e.type)));
  switch (last?.type) {
    case 'ExecutionSucceeded':
      return {
        status: 'SUCCEEDED',
        ...(last.executionSucceededEventDetails?.output
          ? { output: last.executionSucceededEventDetails.output }
          : {}),
      };
    case 'ExecutionFailed':
      return {
        status: 'FAILED',
        error: last.executionFailedEventDetails?.error ?? 'States.Runtime',
        cause: causeMessage(last.executionFailedEventDetails?.cause),
      };
    case 'ExecutionAborted':
      return {
        status: 'ABORTED',
        error: last.executionAbortedEventDetails?.error ?? 'ExecutionAborted',
        cause: causeMessage(last.executionAbortedEventDetails?.cause),
      };
    case 'ExecutionTimedOut':
      return {
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'the execution ran past its TimeoutSeconds',
      };
    default:
      return undefined;
  }
}

/**
 * Polls the history until `until` returns something (its value is returned) or the run ends (`{ ended }`).
 * SIGINT/SIGTERM or the deadline stop the run first and end with exit 130/143 or 3.
 */
export async function followRun<T>(
  client: Sfn,
  run: StartedRun,
  o: FollowOptions<T>,
  write: (line: string) => void,
): Promise<
  | { value: T; ended?: undefined; history: readonly HistoryEvent[]; follower: RunFollower }
  | { value?: undefined; ended: Ended; history: readonly HistoryEvent[]; follower: RunFollower }
> {
  const follower = new RunFollower(client, run.executionArn);
  for (;;) {
    if (o.signal.aborted) {
      const sig = o.signal.reason as StopSignal;
      write(`${sig}: stopping run ${run.runId}; the state machine tears down its clones`);
      await stopRun(client, run.executionArn, 'Interrupted', `instant-clone ${o.verb} got ${sig}`);
      write(`stopped ${run.executionArn}`);
      throw new CliError(`interrupted (${sig}); run ${run.runId} stopped`, SIGNAL_EXIT[sig]);
    }
    if (Date.now() > o.deadline) {
      write(`timed out: stopping run ${run.runId}; the state machine tears down its clones`);
      await stopRun(client, run.executionArn, 'Timeout', `instant-clone ${o.verb} --timeout passed`);
      throw new CliError(`run ${run.runId} was not ready within --timeout; it was stopped`, EXIT.timeout);
    }
    await follower.poll();
    await o.onHistory?.(follower.events, follower.childHistories());
    const value = o.until(follower.events);
    if (value !== undefined) return { value, history: follower.events, follower };
    const ended = endOf(follower.events);
    if (ended) return { ended, history: follower.events, follower };
    await sleep(Math.min(o.pollMs, Math.max(0, o.deadline - Date.now()) + 10), o.signal);
  }
}

/** Seconds between polls: $INSTANT_CLONE_POLL_SECONDS, default 2. */
export function pollMs(env: Record<string, string | undefined> = process.env): number {
  const s = Number(env.INSTANT_CLONE_POLL_SECONDS ?? '2');
  return Number.isFinite(s) && s > 0 ? s * 1000 : 2000;
}
