// Target of the "Instant Clones Release" rule: ends a run's lease by run id (or execution ARN). The task token
// is never on the bus (ADR 0004): it is read from the run's execution history, where the Ready state's
// TaskScheduled event holds it, and handed to SendTaskSuccess with `{"action":"release"}`.
import {
  ExecutionDoesNotExist,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { releaseDetail } from '../workflow/events.js';
import { readReadyWait } from '../workflow/ready-wait.js';
import {
  executionArnOf,
  executionNameOfArn,
  findExecutionByRunId,
  resolveRunRef,
  STATE_MACHINE_ARN_ENV,
} from '../workflow/run-ref.js';

export interface ReleaseEvent {
  'detail-type'?: string;
  detail?: unknown;
}

export interface ReleaseResult {
  released: boolean;
  runId?: string;
  executionArn?: string;
  /** Why nothing was released, when `released` is false. */
  reason?: 'NoSuchRun' | 'NotWaiting' | 'TaskDoesNotExist' | 'TaskTimedOut';
}

export interface ReleaseDeps {
  client: Pick<SFNClient, 'send'>;
  stateMachineArn: string;
}

export async function release(event: ReleaseEvent, deps: ReleaseDeps): Promise<ReleaseResult> {
  const parsed = releaseDetail.safeParse(event.detail);
  if (!parsed.success) {
    // A malformed event cannot succeed on retry; fail loudly so it lands in the DLQ with the error.
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `Instant Clones Release: detail.${issue?.path.join('.') || 'runId'}: ${issue?.message ?? 'invalid'} (docs/events.md)`,
    );
  }
  const { runId, executionArn, releasedBy, reason } = parsed.data;
  const run = executionArn
    ? resolveRunRef(executionArn, deps.stateMachineArn)
    : (resolveRunRef(runId as string, deps.stateMachineArn) ??
      (await findExecutionByRunId(deps.client, deps.stateMachineArn, runId as string)));
  // Only executions of this stack's state machine: an ARN of another machine is not ours to release.
  if (
    !run ||
    executionArnOf(deps.stateMachineArn, executionNameOfArn(run.executionArn)) !== run.executionArn
  ) {
    return { released: false, reason: 'NoSuchRun' };
  }
  const where = { runId: run.runId, executionArn: run.executionArn };
  let wait: Awaited<ReturnType<typeof readReadyWait>>;
  try {
    wait = await readReadyWait(deps.client, run.executionArn);
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return { released: false, ...where, reason: 'NoSuchRun' };
    throw error;
  }
  // Not Ready yet, already released, or the lease is over: at-least-once delivery makes this normal.
  if (!wait) return { released: false, ...where, reason: 'NotWaiting' };
  const output = {
    action: 'release',
    releasedAt: new Date().toISOString(),
    ...(releasedBy === undefined ? {} : { releasedBy }),
    ...(reason === undefined ? {} : { reason }),
  };
  try {
    await deps.client.send(
      new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: JSON.stringify(output) }),
    );
    return { released: true, ...where };
  } catch (error) {
    // Released by someone else between our read and our call, or the lease ran out meanwhile.
    if (error instanceof TaskDoesNotExist) return { released: false, ...where, reason: 'TaskDoesNotExist' };
    if (error instanceof TaskTimedOut) return { released: false, ...where, reason: 'TaskTimedOut' };
    throw error;
  }
}

const sfn = new SFNClient({});

export const handler = async (event: ReleaseEvent): Promise<ReleaseResult> => {
  const stateMachineArn = process.env[STATE_MACHINE_ARN_ENV];
  if (!stateMachineArn) throw new Error(`${STATE_MACHINE_ARN_ENV} is not set (the stack sets it)`);
  const result = await release(event, { client: sfn, stateMachineArn });
  console.log(JSON.stringify({ message: 'release', ...result }));
  return result;
};
