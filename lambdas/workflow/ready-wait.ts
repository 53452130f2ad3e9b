// The execution's current Ready wait, read from its history (ADR 0004 §3). The Ready state's TaskScheduled event
// carries the resolved Parameters, task token included, so whoever may read the history (the release function,
// a pipeline role granted states:GetExecutionHistory) can end or extend the lease; the token is never published.
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';

export interface ReadyClone {
  name: string;
  ip: string;
  os: 'linux' | 'windows';
  source: string;
}

export interface ReadyWait {
  taskToken: string;
  runId: string;
  executionArn: string;
  requesterId: string;
  leaseExpiresAt: string;
  maxLeaseExpiresAt: string;
  clones: ReadyClone[];
}

const WAIT_RESOURCE = 'invoke.waitForTaskToken';
/** Events that end a scheduled task, or the whole execution. */
const CLOSING = new Set([
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStateExited',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

const readyParameters = z.object({
  Payload: z.object({
    taskToken: z.string().min(1),
    executionArn: z.string(),
    run: z.looseObject({ runId: z.string(), requesterId: z.string() }),
    lease: z.looseObject({ expiresAt: z.string(), maxExpiresAt: z.string() }),
    fleet: z.array(z.looseObject({ status: z.string() })),
  }),
});
const readyClone = z.looseObject({
  name: z.string(),
  ip: z.string(),
  os: z.enum(['linux', 'windows']),
  source: z.string(),
});

function parseWait(event: HistoryEvent): ReadyWait | undefined {
  const parameters = event.taskScheduledEventDetails?.parameters;
  if (parameters === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(parameters);
  } catch {
    return undefined;
  }
  const parsed = readyParameters.safeParse(json);
  if (!parsed.success) return undefined;
  const p = parsed.data.Payload;
  const clones = p.fleet
    .filter((c) => c.status === 'ready')
    .map((c) => readyClone.parse(c))
    .map(({ name, ip, os, source }) => ({ name, ip, os, source }));
  return {
    taskToken: p.taskToken,
    runId: p.run.runId,
    executionArn: p.executionArn,
    requesterId: p.run.requesterId,
    leaseExpiresAt: p.lease.expiresAt,
    maxLeaseExpiresAt: p.lease.maxExpiresAt,
    clones,
  };
}

/** The Ready wait still open in these history events (any order), or undefined. */
export function currentReadyWait(events: readonly HistoryEvent[]): ReadyWait | undefined {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (let i = sorted.length - 1; i >= 0; i--) {
    const event = sorted[i] as HistoryEvent;
    if (event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resource === WAIT_RESOURCE) {
      const closed = sorted.slice(i + 1).some((later) => CLOSING.has(String(later.type)));
      return closed ? undefined : parseWait(event);
    }
  }
  return undefined;
}

/**
 * Reads the history newest first, page by page, until the latest Ready TaskScheduled: what comes after it in
 * time (read before it) says whether the wait is still open.
 */
export async function readReadyWait(
  client: Pick<SFNClient, 'send'>,
  executionArn: string,
): Promise<ReadyWait | undefined> {
  const seen: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1000, nextToken }),
    );
    for (const event of page.events ?? []) {
      seen.push(event);
      if (event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resource === WAIT_RESOURCE) {
        return currentReadyWait(seen);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}
