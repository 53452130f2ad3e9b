// The handlers' side of the vCenter-wide throttle (throttle.ts) and of the quota's holdings (holdings.ts): one
// Throttle per container, on the table the CDK stack names in PERMIT_TABLE_NAME (the local runner points
// PERMIT_TABLE_ENDPOINT at dynalite). Without a table (unit tests of single handlers) operations run
// unthrottled. Handlers reach this module only through table-access.ts, so the AWS SDK loads when first needed.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clock } from '../vsphere/clock.js';
import type { WorkflowConfig } from './config.js';
import { Holdings } from './holdings.js';
import { type OperationKind, Throttle } from './throttle.js';

let table: { key: string; client: DynamoDBClient; tableName: string } | undefined;

/** The permit table (also holding the requesters' reservations), or undefined when none is configured. */
export function permitTable(): { client: DynamoDBClient; tableName: string } | undefined {
  const tableName = process.env.PERMIT_TABLE_NAME;
  if (!tableName) return undefined;
  const endpoint = process.env.PERMIT_TABLE_ENDPOINT;
  const key = JSON.stringify([tableName, endpoint]);
  if (table?.key !== key) {
    const client = new DynamoDBClient(
      endpoint
        ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {},
    );
    table = { key, client, tableName };
  }
  return table;
}

/** The requesters' holdings in the permit table, or undefined when none is configured. */
export function holdings(): Holdings | undefined {
  const t = permitTable();
  return t && new Holdings(t);
}

let cached: { key: string; throttle: Throttle } | undefined;

function throttleFor(config: WorkflowConfig): Throttle | undefined {
  const t = permitTable();
  if (!t) return undefined;
  const { client, tableName } = t;
  const key = JSON.stringify([
    process.env.PERMIT_TABLE_ENDPOINT,
    tableName,
    config.vcenter.url,
    config.throttle,
  ]);
  if (cached?.key !== key) {
    cached = {
      key,
      throttle: new Throttle({
        client,
        tableName,
        vcenter: new URL(config.vcenter.url).host,
        limits: config.throttle.limits,
        // The pauses between polls for a free permit are waits like any other: simulated time locally.
        sleep: (ms) => clock.sleep(ms),
      }),
    };
  }
  return cached.throttle;
}

/** Longest a permit is held when the Lambda's remaining time is unknown. */
const MAX_LEASE_MS = 15 * 60_000;

/**
 * Runs `fn` holding a permit of `kind`. The permit's lease ends when the invocation would time out, so a
 * Lambda that dies holding it frees it then; waiting for a permit takes at most throttle.waitSeconds and half
 * the remaining time, then fails with VcenterUnavailable (which the state machine retries with backoff).
 */
export async function withPermit<T>(
  kind: OperationKind,
  config: WorkflowConfig,
  remainingMs: () => number,
  fn: () => Promise<T>,
): Promise<T> {
  const throttle = throttleFor(config);
  if (!throttle) return fn();
  const remaining = Math.min(MAX_LEASE_MS, remainingMs());
  const waitMs = Math.min(config.throttle.waitSeconds * 1000, remaining / 2);
  return throttle.with(kind, remaining + 5_000, waitMs, fn);
}

// The learned run times' store lives behind the same door (table-access.ts).
export { attachRunTimeStore } from './run-time-store.js';
