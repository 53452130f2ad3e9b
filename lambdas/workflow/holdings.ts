// What each requester holds: one item per requester in the permit table (`pk = holdings#<requester>`,
// `sk = runs`) with a map of its runs (clones, and when the reservation lapses) and a version. A reservation is
// read-check-write with a condition on the version, so two runs of one requester cannot both squeeze under the
// quota; a run that dies without FinishRun stops counting when its reservation lapses (lease + allowance).
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

interface Holding {
  clones: number;
  expiresAtMs: number;
}

export interface HoldingsOptions {
  client: DynamoDBClient;
  tableName: string;
  now?: () => number;
}

export class Holdings {
  constructor(private readonly o: HoldingsOptions) {}

  private key(requesterId: string) {
    return { pk: { S: `holdings#${requesterId}` }, sk: { S: 'runs' } };
  }

  private async read(requesterId: string): Promise<{ version: number; runs: Record<string, Holding> }> {
    const out = await this.o.client.send(
      new GetItemCommand({ TableName: this.o.tableName, Key: this.key(requesterId), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item) return { version: 0, runs: {} };
    return { version: Number(item.version?.N ?? 0), runs: JSON.parse(item.runs?.S ?? '{}') };
  }

  /** Writes `runs` if nobody else wrote since `version` was read; false on a lost race. */
  private async write(requesterId: string, version: number, runs: Record<string, Holding>): Promise<boolean> {
    const now = (this.o.now ?? Date.now)();
    const latest = Math.max(now, ...Object.values(runs).map((r) => r.expiresAtMs));
    try {
      await this.o.client.send(
        new PutItemCommand({
          TableName: this.o.tableName,
          Item: {
            ...this.key(requesterId),
            version: { N: String(version + 1) },
            runs: { S: JSON.stringify(runs) },
            ttl: { N: String(Math.ceil(latest / 1000) + 86_400) },
          },
          ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ':v': { N: String(version) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Reserves `clones` for the run if the requester's live reservations leave room under `max`; idempotent for
   * the same run. Returns what the requester held besides this run when it did not fit (undefined = reserved).
   */
  async reserve(
    requesterId: string,
    runId: string,
    clones: number,
    max: number,
    expiresAtMs: number,
  ): Promise<number | undefined> {
    for (;;) {
      const now = (this.o.now ?? Date.now)();
      const { version, runs } = await this.read(requesterId);
      const live = Object.fromEntries(Object.entries(runs).filter(([, r]) => r.expiresAtMs > now));
      const others = Object.entries(live)
        .filter(([id]) => id !== runId)
        .reduce((n, [, r]) => n + r.clones, 0);
      if (others + clones > max) return others;
      if (await this.write(requesterId, version, { ...live, [runId]: { clones, expiresAtMs } }))
        return undefined;
    }
  }

  /** Gives the run's clones back (after teardown); harmless when it holds none. */
  async release(requesterId: string, runId: string): Promise<void> {
    for (;;) {
      const { version, runs } = await this.read(requesterId);
      if (!(runId in runs)) return;
      const { [runId]: _, ...rest } = runs;
      if (await this.write(requesterId, version, rest)) return;
    }
  }
}
