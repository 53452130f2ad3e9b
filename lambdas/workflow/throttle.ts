// A vCenter-wide throttle across all executions (issue 11 §2, ADR 0006): at most `limit` concurrent operations
// of each kind per vCenter. A permit is one of `limit` slot items in a DynamoDB table, taken with a conditional
// write that succeeds only when the slot is free or its holder's lease has expired; so a Lambda that dies while
// holding a permit loses it when the lease runs out, never for good. Release deletes the slot only if this
// holder still has it. Waiters poll with full jitter, starting at a random slot, until their deadline.
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { VcenterUnavailableError } from './errors.js';

export type { OperationKind } from './handler-needs.js';

import type { OperationKind } from './handler-needs.js';

export interface ThrottleLimits {
  clone: number;
  reconfigure: number;
  guest: number;
  teardown: number;
}

export interface Permit {
  key: string;
  slot: number;
  holder: string;
}

export interface ThrottleOptions {
  client: DynamoDBClient;
  tableName: string;
  /** the vCenter the permits are for (its URL host) */
  vcenter: string;
  limits: ThrottleLimits;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_POLL_MS = 2_000;
const MIN_POLL_MS = 50;

export class Throttle {
  constructor(private readonly o: ThrottleOptions) {}

  private key(kind: OperationKind): string {
    return `${this.o.vcenter}#${kind}`;
  }

  /**
   * Takes a permit for `kind`, held at most `leaseMs` (then it counts as free again), waiting until `waitMs`
   * has passed; throws VcenterUnavailable (retried by the state machine with backoff) when none came free.
   */
  async acquire(kind: OperationKind, leaseMs: number, waitMs: number): Promise<Permit> {
    const now = this.o.now ?? Date.now;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const limit = this.o.limits[kind];
    const holder = randomUUID();
    const deadline = now() + waitMs;
    let pause = MIN_POLL_MS;
    for (;;) {
      const start = Math.floor(Math.random() * limit);
      for (let i = 0; i < limit; i++) {
        const slot = (start + i) % limit;
        if (await this.tryTake(kind, slot, holder, leaseMs)) return { key: this.key(kind), slot, holder };
      }
      if (now() >= deadline)
        throw new VcenterUnavailableError(
          `all ${limit} ${kind} permits for ${this.o.vcenter} stayed taken for ${Math.round(waitMs / 1000)} s (the vCenter-wide throttle); raise throttle.limits.${kind} if vCenter can take more`,
        );
      await sleep(Math.random() * pause);
      pause = Math.min(MAX_POLL_MS, pause * 2);
    }
  }

  private async tryTake(
    kind: OperationKind,
    slot: number,
    holder: string,
    leaseMs: number,
  ): Promise<boolean> {
    const now = (this.o.now ?? Date.now)();
    try {
      await this.o.client.send(
        new PutItemCommand({
          TableName: this.o.tableName,
          Item: {
            pk: { S: this.key(kind) },
            sk: { S: String(slot) },
            holder: { S: holder },
            expiresAtMs: { N: String(now + leaseMs) },
            // DynamoDB's TTL clean-up works in seconds; the condition below uses the exact milliseconds.
            ttl: { N: String(Math.ceil((now + leaseMs) / 1000) + 3600) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAtMs < :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Gives the permit back unless it has expired and someone else holds the slot now. */
  async release(permit: Permit): Promise<void> {
    try {
      await this.o.client.send(
        new DeleteItemCommand({
          TableName: this.o.tableName,
          Key: { pk: { S: permit.key }, sk: { S: String(permit.slot) } },
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': { S: permit.holder } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Runs `fn` holding a permit of `kind`; the permit goes back whatever `fn` does. */
  async with<T>(kind: OperationKind, leaseMs: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
    const permit = await this.acquire(kind, leaseMs, waitMs);
    try {
      return await fn();
    } finally {
      await this.release(permit).catch(() => {
        // an unreleased permit frees itself when its lease expires
      });
    }
  }
}
