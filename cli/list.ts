// `instant-clone list`: the runs in flight, optionally one requester's, with their lease left.
import { DescribeExecutionCommand, type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { readReadyWait } from '../lambdas/workflow/ready-wait.js';
import { runIdOf } from '../lambdas/workflow/run-ref.js';
import { CONNECTION_HELP, connection, oneOf, parseCommand } from './args.js';
import { formatSeconds, table } from './run-view.js';
import { call, sfnClient } from './sfn.js';

export const listHelp = `Usage: instant-clone list [--requester TEXT] [options]

Lists the runs in flight (RUNNING executions), newest first: run id, requester, whether the clones are ready,
how many, and the lease left.

  --requester TEXT       only runs whose requester id contains TEXT
  -o, --output FORMAT    text (default) | json

${CONNECTION_HELP}

Exit status: 0 listed (also when none); 2 usage; 5 AWS API error.`;

export interface ListedRun {
  runId: string;
  executionArn: string;
  requesterId?: string;
  startedAt?: string;
  /** 'ready' while the clones are held; 'busy' while provisioning, between leases or tearing down */
  state: 'ready' | 'busy';
  clones?: number;
  leaseExpiresAt?: string;
  leaseSecondsLeft?: number;
}

export async function runList(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {
    requester: { type: 'string' },
    output: { type: 'string', short: 'o', default: 'text' },
  });
  if (values.help) {
    console.log(listHelp);
    return 0;
  }
  const format = oneOf('--output', values.output, ['text', 'json'] as const);
  const conn = connection(values);
  const client = sfnClient(conn);
  const items: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('ListExecutions', () =>
      client.send(
        new ListExecutionsCommand({
          stateMachineArn: conn.stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: 100,
          nextToken,
        }),
      ),
    );
    items.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const runs: ListedRun[] = [];
  for (const item of items) {
    if (!item.executionArn || !item.name) continue;
    const arn = item.executionArn;
    const described = await call('DescribeExecution', () =>
      client.send(new DescribeExecutionCommand({ executionArn: arn })),
    );
    let requesterId: string | undefined;
    try {
      const id = (JSON.parse(described.input ?? '{}') as { requesterId?: unknown }).requesterId;
      requesterId = typeof id === 'string' ? id : undefined;
    } catch {
      requesterId = undefined;
    }
    if (values.requester && !requesterId?.includes(values.requester)) continue;
    const wait = await call('GetExecutionHistory', () => readReadyWait(client, arn));
    runs.push({
      runId: runIdOf(item.name),
      executionArn: arn,
      ...(requesterId ? { requesterId } : {}),
      ...(item.startDate ? { startedAt: new Date(item.startDate).toISOString() } : {}),
      state: wait ? 'ready' : 'busy',
      ...(wait
        ? {
            clones: wait.clones.length,
            leaseExpiresAt: wait.leaseExpiresAt,
            leaseSecondsLeft: Math.max(0, Math.round((Date.parse(wait.leaseExpiresAt) - Date.now()) / 1000)),
          }
        : {}),
    });
  }
  if (format === 'json') {
    console.log(JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) {
    console.log(
      values.requester ? `no runs in flight for requester '${values.requester}'` : 'no runs in flight',
    );
    return 0;
  }
  const rows = runs.map((r) => [
    r.runId,
    r.state === 'ready' ? 'ready' : 'provisioning or tearing down',
    r.clones === undefined ? '' : String(r.clones),
    r.leaseSecondsLeft === undefined ? '' : formatSeconds(r.leaseSecondsLeft),
    r.startedAt ?? '',
    r.requesterId ?? '',
  ]);
  console.log(table(['RUN', 'STATE', 'CLONES', 'LEASE LEFT', 'STARTED', 'REQUESTER'], rows).join('\n'));
  return 0;
}
