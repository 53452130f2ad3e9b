// The one door to DynamoDB (ADR 0010): the permit table's client and all that uses it (permits.ts: the
// vCenter-wide throttle and the requesters' holdings) load on the first call that needs the table, not at a
// handler's import. A handler that takes no permit and keeps no holdings never loads the AWS SDK at all, and
// one that does pays for it in its first invocation. New DynamoDB code goes behind this door too: export it
// from permits.ts (or a module only permits.ts imports) and reach it through `await tableAccess()`.
export type TableModule = typeof import('./permits.js');

let loading: Promise<TableModule> | undefined;

/** The DynamoDB-backed module, or undefined when no table is configured (then nothing is loaded). */
export function tableAccess(): Promise<TableModule> | undefined {
  if (!process.env.PERMIT_TABLE_NAME) return undefined;
  loading ??= import('./permits.js');
  return loading;
}
