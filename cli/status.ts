// `instant-clone status RUN`: the run's step, each clone's phase, IP and error, and the lease left.
import { CONNECTION_HELP, connection, oneOf, parseCommand } from './args.js';
import { UsageError } from './exit-codes.js';
import { HistoryFollower } from './history.js';
import { formatRun } from './output.js';
import { formatRunView, runView } from './run-view.js';
import { findRun, sfnClient } from './sfn.js';

export const statusHelp = `Usage: instant-clone status RUN [options]

Shows a run: its status and step, each clone's phase (cloning, NIC, guest refresh, IP, smoke, ready, teardown,
torn down, failed), IP and error, and the lease left. RUN is the run id (as acquire prints it, or from a clone
name) or the execution ARN.

  -o, --output FORMAT    text (default) | json | env | github | dotenv (the last three: as acquire prints them,
                         for a run that holds clones)

${CONNECTION_HELP}

Exit status: 0 shown; 2 usage; 4 no such run; 5 AWS API error.`;

const FORMATS = ['text', 'json', 'env', 'github', 'dotenv'] as const;

export async function runStatus(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { output: { type: 'string', short: 'o', default: 'text' } },
    1,
  );
  if (values.help) {
    console.log(statusHelp);
    return 0;
  }
  const format = oneOf('--output', values.output, FORMATS);
  const ref = positionals[0];
  if (!ref) throw new UsageError('give the RUN (run id or execution ARN)');
  const conn = connection(values);
  const client = sfnClient(conn);
  const run = await findRun(client, conn.stateMachineArn, ref);
  const history = new HistoryFollower(client, run.executionArn);
  await history.poll();
  const e = run.execution;
  const view = runView(
    {
      executionArn: run.executionArn,
      runId: run.runId,
      status: e.status,
      startDate: e.startDate,
      stopDate: e.stopDate,
      input: e.input,
      error: e.error,
      cause: e.cause,
    },
    history.events,
  );
  if (format === 'text') console.log(formatRunView(view));
  else if (format === 'json') console.log(JSON.stringify(view, null, 2));
  else {
    if (!view.leaseExpiresAt)
      throw new UsageError(
        `run ${view.runId} holds no clones (${view.status}, ${view.step ?? 'not started'}); --output ${format} needs a ready run`,
      );
    const clones = view.clones
      .filter((c) => c.phase === 'ready' && c.ip)
      .map((c) => ({ name: c.name, ip: c.ip ?? '', os: c.os ?? '', source: c.source ?? '' }));
    console.log(
      formatRun(
        { runId: view.runId, executionArn: view.executionArn, leaseExpiresAt: view.leaseExpiresAt, clones },
        format,
      ),
    );
  }
  return 0;
}
