// `instant-clone extend RUN --minutes N` and `instant-clone release RUN`: the CLI finds the run's Ready wait in
// its history (ADR 0004 §3) and answers it with SendTaskSuccess; the pipeline never sees a task token.
import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { currentReadyWait, type ReadyWait } from '../lambdas/workflow/ready-wait.js';
import { CONNECTION_HELP, connection, oneOf, parseCommand, parseDuration } from './args.js';
import { ciIdentity } from './ci-key.js';
import { endOf, pollMs, stopRun } from './execution.js';
import { CliError, EXIT, UsageError } from './exit-codes.js';
import { HistoryFollower, toRunnerEvents } from './history.js';
import { apiError, call, type FoundRun, findRun, type Sfn, sfnClient, sleep } from './sfn.js';

export const extendHelp = `Usage: instant-clone extend RUN --minutes N [options]

Extends a ready run's lease by N minutes from now or from its current end, whichever is later, capped by the
deployment's maximum lease (then the granted end is printed and a note goes to stderr). RUN is the run id or
the execution ARN. Prints {"runId", "executionArn", "leaseExpiresAt", "maxLeaseExpiresAt", "capped"}.

  --minutes N            whole minutes to add (>= 1)
  --timeout DURATION     how long to wait for the new lease to be in place (default: 2m)
  -o, --output FORMAT    json (default) | text

${CONNECTION_HELP}

Exit status: 0 extended; 2 usage; 3 timeout; 4 no such run, or it holds no clones (not ready yet, or over);
5 AWS API error.`;

export const releaseHelp = `Usage: instant-clone release RUN [options]

Ends a run's lease: its clones are torn down. Safe to call more than once, and on a run that has ended
already (exit 0), so it fits a pipeline's always-run cleanup step. A run that is not ready yet is stopped
(its clones are torn down too). RUN is the run id or the execution ARN.

  --reason TEXT          kept in the execution (default: none)
  --wait                 wait until the teardown is done; exit 1 if the run then failed
  --timeout DURATION     with --wait: how long to wait (default: 15m)
  -o, --output FORMAT    json (default) | text

${CONNECTION_HELP}

Exit status: 0 released (or nothing left to release); 1 with --wait, the run failed; 2 usage; 3 timeout;
4 no such run; 5 AWS API error.`;

/** The states between two Ready waits while a lease is being extended. */
const BETWEEN_WAITS = new Set(['LeaseAction', 'SetLease', 'Ready']);
/** The states after the lease: teardown has begun. */
const AFTER_LEASE = new Set([
  'TeardownFleet',
  'FinishRun',
  'RunOutcome',
  'PublishReleased',
  'PublishRunFailed',
  'Done',
  'RunFailed',
]);

function topStep(history: HistoryFollower): string | undefined {
  return toRunnerEvents(history.events).findLast((e) => e.index === undefined && e.type === 'StateEntered')
    ?.state?.name;
}

/** Polls until the run has a Ready wait (other than `not`), the run leaves the lease, or the deadline. */
async function nextWait(
  history: HistoryFollower,
  deadline: number,
  not?: string,
): Promise<ReadyWait | undefined> {
  for (;;) {
    await history.poll();
    const wait = currentReadyWait(history.events);
    if (wait && wait.taskToken !== not) return wait;
    const step = topStep(history);
    if (endOf(history.events) || (step && AFTER_LEASE.has(step))) return undefined;
    if (Date.now() > deadline) {
      throw new CliError(`run ${history.executionArn}: no new lease within --timeout`, EXIT.timeout);
    }
    await sleep(pollMs());
  }
}

async function answer(client: Sfn, wait: ReadyWait, output: object): Promise<boolean> {
  try {
    await client.send(
      new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: JSON.stringify(output) }),
    );
    return true;
  } catch (error) {
    // The lease ran out, or someone else released or extended it between our read and our answer.
    if (error instanceof TaskDoesNotExist || error instanceof TaskTimedOut) return false;
    throw apiError(error, 'SendTaskSuccess');
  }
}

function ref(positionals: string[]): string {
  const r = positionals[0];
  if (!r) throw new UsageError('give the RUN (run id or execution ARN)');
  return r;
}

export async function runExtend(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      minutes: { type: 'string' },
      timeout: { type: 'string', default: '2m' },
      output: { type: 'string', short: 'o', default: 'json' },
    },
    1,
  );
  if (values.help) {
    console.log(extendHelp);
    return 0;
  }
  const format = oneOf('--output', values.output, ['json', 'text'] as const);
  const minutes = Number(values.minutes);
  if (!values.minutes || !Number.isInteger(minutes) || minutes < 1) {
    throw new UsageError('--minutes N: a whole number of minutes, at least 1');
  }
  const deadline = Date.now() + parseDuration('--timeout', values.timeout) * 1000;
  const conn = connection(values);
  const client = sfnClient(conn);
  const run = await findRun(client, conn.stateMachineArn, ref(positionals));
  const history = new HistoryFollower(client, run.executionArn);
  const notHolding = (why: string) =>
    new CliError(`run ${run.runId} holds no clones to extend (${why})`, EXIT.notFound);
  if (run.execution.status !== 'RUNNING') throw notHolding(String(run.execution.status));
  await history.poll();
  const step = topStep(history);
  if (!currentReadyWait(history.events) && !(step && BETWEEN_WAITS.has(step))) {
    throw notHolding(
      step && AFTER_LEASE.has(step) ? 'its lease is over' : `not ready yet: ${step ?? 'starting'}`,
    );
  }
  const wait = await nextWait(history, deadline);
  if (!wait) throw notHolding('its lease is over');
  if (!(await answer(client, wait, { action: 'extend', leaseMinutes: minutes }))) {
    throw notHolding('its lease ended meanwhile');
  }
  const extended = await nextWait(history, deadline, wait.taskToken);
  if (!extended) throw notHolding('its lease ended meanwhile');
  const asked = Math.max(Date.parse(wait.leaseExpiresAt), Date.now()) + minutes * 60_000;
  const capped =
    Date.parse(extended.leaseExpiresAt) < asked - 60_000 &&
    extended.leaseExpiresAt === extended.maxLeaseExpiresAt;
  if (capped) console.error(`note: capped at the deployment's maximum lease, ${extended.maxLeaseExpiresAt}`);
  const result = {
    runId: run.runId,
    executionArn: run.executionArn,
    leaseExpiresAt: extended.leaseExpiresAt,
    maxLeaseExpiresAt: extended.maxLeaseExpiresAt,
    capped,
  };
  console.log(
    format === 'json'
      ? JSON.stringify(result, null, 2)
      : `run ${run.runId}: lease until ${result.leaseExpiresAt}${capped ? ' (capped)' : ''}`,
  );
  return 0;
}

export async function runRelease(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      reason: { type: 'string' },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '15m' },
      output: { type: 'string', short: 'o', default: 'json' },
    },
    1,
  );
  if (values.help) {
    console.log(releaseHelp);
    return 0;
  }
  const format = oneOf('--output', values.output, ['json', 'text'] as const);
  const deadline = Date.now() + parseDuration('--timeout', values.timeout) * 1000;
  const conn = connection(values);
  const client = sfnClient(conn);
  const run = await findRun(client, conn.stateMachineArn, ref(positionals));
  const outcome = await release(client, run, values.reason);
  console.error(`run ${run.runId}: ${outcome.note}`);
  let status = outcome.status;
  let failed: { error?: string | undefined; cause?: string | undefined } | undefined;
  if (values.wait && status === 'RUNNING') {
    for (;;) {
      const d = await call('DescribeExecution', () =>
        client.send(new DescribeExecutionCommand({ executionArn: run.executionArn })),
      );
      status = String(d.status);
      if (status !== 'RUNNING') {
        if (status === 'FAILED') failed = { error: d.error, cause: d.cause };
        break;
      }
      if (Date.now() > deadline)
        throw new CliError(`run ${run.runId} still tearing down at --timeout`, EXIT.timeout);
      await sleep(pollMs());
    }
    console.error(`run ${run.runId}: ${status}`);
  }
  const result = { runId: run.runId, executionArn: run.executionArn, released: outcome.released, status };
  console.log(
    format === 'json' ? JSON.stringify(result, null, 2) : `run ${run.runId}: ${outcome.note} (${status})`,
  );
  if (failed) {
    throw new CliError(
      `run ${run.runId} FAILED: ${failed.error}: ${failed.cause ?? ''}`,
      EXIT.runFailed,
      failed.error,
    );
  }
  return 0;
}

/** Releases whatever state the run is in; never an error for a run that is over or already releasing. */
async function release(
  client: Sfn,
  run: FoundRun,
  reason: string | undefined,
): Promise<{ released: boolean; status: string; note: string }> {
  const status = String(run.execution.status);
  if (status !== 'RUNNING')
    return { released: false, status, note: `nothing to release, the run is ${status}` };
  const history = new HistoryFollower(client, run.executionArn);
  const output = { action: 'release', releasedBy: ciIdentity().requester, ...(reason ? { reason } : {}) };
  for (let attempt = 0; attempt < 3; attempt++) {
    await history.poll();
    const step = topStep(history);
    if (step && AFTER_LEASE.has(step))
      return { released: false, status, note: 'already released, tearing down' };
    if (step && BETWEEN_WAITS.has(step)) {
      const wait = await nextWait(history, Date.now() + 60_000);
      if (!wait) return { released: false, status, note: 'already released, tearing down' };
      if (await answer(client, wait, output))
        return { released: true, status, note: 'released, tearing down' };
      continue;
    }
    // Not ready yet: stop the run; its clones are torn down all the same.
    await stopRun(client, run.executionArn, 'Released', `released before Ready by ${output.releasedBy}`);
    return {
      released: true,
      status,
      note: `stopped before Ready (at ${step ?? 'start'}); its clones are torn down`,
    };
  }
  return {
    released: false,
    status,
    note: 'the lease changed while releasing; check with instant-clone status',
  };
}
