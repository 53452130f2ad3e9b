// Zod schemas of what the ASL hands each handler (the state machine's data flow). Objects are loose: a handler
// reads what it needs and ignores the rest, so adding a field upstream never breaks a downstream state.
import * as z from 'zod';

const moRef = z.object({ type: z.string(), value: z.string() });
const timing = z.object({ startedAt: z.string(), endedAt: z.string(), ms: z.number() });

export const staticIpState = z.object({
  address: z.string(),
  prefixLength: z.number(),
  gateway: z.string(),
  dns: z.array(z.string()),
});

/** The run's parameters, as ValidateRequest plans them (plan.ts) and every later state carries them. */
export const runSchema = z.object({
  runId: z.string(),
  /** the deployment's id, written into every clone with the run marker */
  deploymentId: z.string(),
  executionName: z.string(),
  requesterId: z.string(),
  total: z.number(),
  minReady: z.number(),
  maxConcurrency: z.number(),
  /** lease length for the Ready state's TimeoutSecondsPath (≥ 1) */
  leaseSeconds: z.number(),
  /** false when leaseMinutes is 0: tear down right after the fleet is ready */
  waitForRelease: z.boolean(),
  /**
   * written to every clone; the reaper removes clones once it plus provisioningAllowanceMinutes has passed (the
   * allowance covers the provisioning before Ready, where the lease really starts)
   */
  leaseExpires: z.string(),
  ipTimeoutSeconds: z.number(),
  folder: z.string().nullable(),
  pool: z.string().nullable(),
  network: z.string().nullable(),
  smokeCommand: z.string().nullable(),
  requestedAt: z.string(),
  /** the fan-out (ADR 0005): clones per child execution, the slice numbers, children at once */
  sliceSize: z.number(),
  slices: z.array(z.number()),
  sliceConcurrency: z.number(),
  /** the requester's quota (quota.ts, from its request policy or the defaults); null = unlimited */
  maxClonesHeld: z.number().nullable(),
  /**
   * VerifySourceFrozen's placement (absent before it): how many clones each source VM takes, and its moref, so
   * that the fleet teardown's plan puts every clone where it was made and knows its source without a lookup
   */
  placement: z
    .array(z.object({ source: z.string(), sourcePath: z.string(), vm: moRef, count: z.number() }))
    .optional(),
  /** the request's folder and pool as VerifySourceFrozen found them (null: none requested), once per run */
  folderRef: moRef.nullable().optional(),
  poolRef: moRef.nullable().optional(),
});
export type Run = z.infer<typeof runSchema>;
export const runState = runSchema.loose();

/** One clone of the plan: its index, deterministic name, source VM and optional static address. */
export const planItemSchema = z.object({
  index: z.number(),
  name: z.string(),
  source: z.string(),
  sourcePath: z.string(),
  os: z.enum(['linux', 'windows']),
  staticIp: staticIpState.nullable(),
});
export type PlanItem = z.infer<typeof planItemSchema>;
export const planItemState = planItemSchema.loose();

/** What VerifySourceFrozen learned about a clone's source VM. */
export const sourceFactsState = z.looseObject({
  vm: moRef,
  host: moRef,
  hostName: z.string(),
  guestFamily: z.string().nullable(),
  nic: z.looseObject({ _type: z.string(), key: z.number(), macAddress: z.string().optional() }),
  networkBacking: z.looseObject({ _type: z.string() }).nullable(),
  ip: z.string().nullable(),
});

export const cloneItemState = planItemState.extend({ sourceVm: sourceFactsState });

export const createdState = z.looseObject({
  moref: moRef,
  host: z.string(),
  mac: z.string(),
  nicKey: z.number(),
  reused: z.boolean(),
});

export const perCloneInput = z.object({ run: runState, clone: cloneItemState, created: createdState });

export type RunState = z.infer<typeof runState>;
export type CloneItemState = z.infer<typeof cloneItemState>;
export type SourceFacts = z.infer<typeof sourceFactsState>;
export type CreatedState = z.infer<typeof createdState>;
export { moRef as moRefSchema, timing as timingSchema };
