// Learned run times (run-times.ts) outlive a container (ADR 0009): kept in the permit table under their own
// partition, `runtimes#<vCenter host>`, one item per kind holding its newest samples. A cold container loads
// them all with one Query, started when an invocation begins (overlapped with the secrets and the vCenter
// login) and awaited, bounded, by its first wait. Runs recorded here go back when an invocation ends, in bounded
// writes: one UpdateItem per kind at most once a minute per container, appending to the item's list (atomic, so
// concurrent containers never overwrite each other's samples), and a second one now and then that cuts the list
// to the newest KEEP. DynamoDB failing or slow never fails a wait: it then plans as a container without data
// does, and says so once a minute.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { WorkflowConfig } from './config.js';
import { permitTable } from './permits.js';
import { logger } from './powertools.js';
import { RUN_TIMES_KEY_PREFIX } from './run-time-keys.js';
import { KEEP, type RunTimesStore, runTimes } from './run-times.js';

export interface RunTimeStoreTarget {
  client: DynamoDBClient;
  tableName: string;
  /** the pk of this deployment's items: RUN_TIMES_KEY_PREFIX + the vCenter's host name */
  partition: string;
}

export interface RunTimeStoreOptions {
  /** Wall clock (ms) for the write interval and the pause after a failure; tests move it. */
  now?: () => number;
  /** Longest a load or a write may take before it counts as failed (wall ms). */
  timeoutMs?: number;
  /** A container writes a kind at most this often (wall ms); runs in between wait in memory. */
  writeIntervalMs?: number;
}

/** After a failed load or write, this long (wall ms) before the store is tried again. */
const RETRY_AFTER_FAILURE_MS = 60_000;
/** A list past this many samples is trimmed to the newest KEEP (by whoever appended to it). */
const TRIM_AT = 2 * KEEP;
/** Kinds per deployment the load reads (one per source and operation; far fewer in practice). */
const MAX_KINDS = 200;
/** Kinds are built from configured source names; a longer one is not kept (the sort key stays small). */
const MAX_KIND_LENGTH = 200;
/** An item nobody wrote for this long is removed by the table's TTL (a source that was removed, say). */
const TTL_SECONDS = 30 * 24 * 3600;
/** Longer than any wait: a sample beyond it is not a run time. */
const MAX_SAMPLE_MS = 24 * 3600_000;

const NAMES = { '#s': 'samples', '#t': 'ttl', '#v': 'v' };

export class RunTimeStore implements RunTimesStore {
  private load: Promise<void> | undefined;
  private retryAt = 0;
  private readonly pending = new Map<string, number[]>();
  private readonly lastWrite = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly writeIntervalMs: number;

  constructor(
    readonly target: RunTimeStoreTarget,
    options: RunTimeStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 1_000;
    this.writeIntervalMs = options.writeIntervalMs ?? 60_000;
  }

  /** Starts loading the deployment's samples unless this container has them or is pausing after a failure. */
  startLoad(): void {
    if (this.load || this.now() < this.retryAt) return;
    this.load = this.query().catch((error: unknown) => {
      this.load = undefined;
      this.failed('run times not loaded from DynamoDB: waits plan as a cold container does', error);
    });
  }

  ready(): Promise<void> {
    this.startLoad();
    return this.load ?? Promise.resolve();
  }

  recorded(kind: string, ms: number): void {
    if (kind.length > MAX_KIND_LENGTH || !(ms <= MAX_SAMPLE_MS)) return;
    const list = this.pending.get(kind) ?? [];
    list.push(Math.round(ms));
    this.pending.set(kind, list.slice(-KEEP));
  }

  forgotten(): void {
    this.load = undefined;
    this.retryAt = 0;
    this.pending.clear();
    this.lastWrite.clear();
  }

  /**
   * At the end of an invocation: lets a load under way end, writes every kind whose interval has passed and
   * waits for the writes (each bounded). Only here, so nothing is left running once the invocation returns
   * (Lambda freezes it; locally the table may be stopped).
   */
  async settle(): Promise<void> {
    await this.load;
    this.flushDue();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushDue(): void {
    const now = this.now();
    if (now < this.retryAt) return;
    for (const [kind, samples] of this.pending) {
      if (now < (this.lastWrite.get(kind) ?? Number.NEGATIVE_INFINITY) + this.writeIntervalMs) continue;
      this.pending.delete(kind);
      this.lastWrite.set(kind, now);
      const write = this.append(kind, samples)
        .catch((error: unknown) =>
          this.failed('run times not written to DynamoDB (this container keeps them)', error),
        )
        .finally(() => this.inFlight.delete(write));
      this.inFlight.add(write);
    }
  }

  private failed(message: string, error: unknown): void {
    this.retryAt = this.now() + RETRY_AFTER_FAILURE_MS;
    const e = error instanceof Error ? error : new Error(String(error));
    logger.warn(message, { errorName: e.name, errorMessage: e.message, table: this.target.tableName });
  }

  private send<T>(command: QueryCommand | UpdateItemCommand): Promise<T> {
    return this.target.client.send(command as never, {
      abortSignal: AbortSignal.timeout(this.timeoutMs),
    }) as Promise<T>;
  }

  private async query(): Promise<void> {
    const { tableName, partition } = this.target;
    const answer = await this.send<{ Items?: Record<string, AttributeValue>[] }>(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: partition } },
        ExpressionAttributeNames: { '#s': 'samples' },
        ProjectionExpression: 'sk, #s',
        Limit: MAX_KINDS,
      }),
    );
    for (const item of answer.Items ?? []) {
      const kind = item.sk?.S;
      const samples = (item.samples?.L ?? [])
        .map((v) => Number(v.N))
        .filter((ms) => ms >= 0 && ms <= MAX_SAMPLE_MS);
      if (kind) runTimes.seed(kind, samples.slice(-KEEP));
    }
  }

  private key(kind: string): Record<string, AttributeValue> {
    return { pk: { S: this.target.partition }, sk: { S: kind } };
  }

  /**
   * Appends to the kind's list (atomic: concurrent appends all land) and counts the write in `v`; when the list
   * has grown past TRIM_AT, cuts it to the newest KEEP it just returned, only if nobody wrote since (`v`).
   */
  private async append(kind: string, samples: number[]): Promise<void> {
    const answer = await this.send<{ Attributes?: Record<string, AttributeValue> }>(
      new UpdateItemCommand({
        TableName: this.target.tableName,
        Key: this.key(kind),
        UpdateExpression: 'SET #s = list_append(if_not_exists(#s, :none), :new), #t = :ttl ADD #v :one',
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: {
          ':none': { L: [] },
          ':new': { L: samples.map((ms) => ({ N: String(ms) })) },
          ':ttl': { N: String(Math.floor(this.now() / 1000) + TTL_SECONDS) },
          ':one': { N: '1' },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const list = answer.Attributes?.samples?.L ?? [];
    const version = answer.Attributes?.v?.N;
    if (list.length <= TRIM_AT || version === undefined) return;
    try {
      await this.send(
        new UpdateItemCommand({
          TableName: this.target.tableName,
          Key: this.key(kind),
          UpdateExpression: 'SET #s = :newest ADD #v :one',
          // Someone appended since: their samples stay; they (or the next writer) trim.
          ConditionExpression: '#v = :seen',
          ExpressionAttributeNames: { '#s': 'samples', '#v': 'v' },
          ExpressionAttributeValues: {
            ':newest': { L: list.slice(-KEEP) },
            ':seen': { N: version },
            ':one': { N: '1' },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

let current: { key: string; store: RunTimeStore } | undefined;

/**
 * This container's store for the deployment's permit table and vCenter (undefined without a table: unit tests
 * of single handlers), kept in run-times.ts from now on and loading unless it has loaded already.
 */
export function attachRunTimeStore(config: WorkflowConfig): RunTimeStore | undefined {
  const table = permitTable();
  if (!table) return undefined;
  const partition = `${RUN_TIMES_KEY_PREFIX}${new URL(config.vcenter.url).hostname}`;
  const key = JSON.stringify([process.env.PERMIT_TABLE_ENDPOINT, table.tableName, partition]);
  if (current?.key !== key) {
    current = { key, store: new RunTimeStore({ ...table, partition }) };
    runTimes.persistTo(current.store);
  }
  current.store.startLoad();
  return current.store;
}
