// WORKFLOW_CONFIG (ADR 0001): one JSON document in one env var, set by the CDK stack on AWS and by the local
// runner before it imports the handlers. Parsed once per container; a bad document fails with InvalidConfig
// naming the field.
import * as z from 'zod';
import { InvalidConfigError } from './errors.js';
import { requestPoliciesSchema } from './request-policy.js';

/**
 * What a source is, apart from how its guest accounts are named: the deployment config (cdk/config.ts, secrets by
 * name) and WORKFLOW_CONFIG (secret ids) both build on it, and the local runner's sources are exactly this.
 */
export const sourceSettingsSchema = z.object({
  /** Inventory paths of frozen VMs, one per ESXi host; VerifySourceFrozen spreads clones by their hosts' free memory. */
  paths: z.array(z.string().min(1)).min(1),
  os: z.enum(['linux', 'windows']),
  /** Windows interface name for netsh (default Ethernet0). Linux ignores it: the interface is found by the clone's MAC. */
  nicName: z.string().min(1).optional(),
  /** Replaces the built-in DHCP refresh script (shell on Linux, cmd.exe on Windows). */
  refreshCommand: z.string().min(1).optional(),
  /** Replaces the built-in static-IP script; may use $IC_IP, $IC_PREFIX, $IC_GATEWAY, $IC_DNS (%IC_IP% … on Windows). */
  staticRefreshCommand: z.string().min(1).optional(),
});

const sourceSchema = sourceSettingsSchema.extend({
  guestSecretId: z.string().min(1),
  /** A less privileged guest account the request's smokeCommand runs as (instead of guestSecretId's). */
  smokeGuestSecretId: z.string().min(1).optional(),
});

/**
 * The handlers' defaults: the one definition, used for the deployment config's `defaults` (cdk/config.ts) and
 * for WORKFLOW_CONFIG, so the stack, the handlers and the local runner cannot disagree. A request may override
 * some of them within these bounds.
 */
export const defaultsSchema = z.strictObject({
  maxConcurrency: z.number().int().min(1).max(100).default(5),
  leaseMinutes: z.number().min(0).max(10_080).default(60),
  maxLeaseMinutes: z
    .number()
    .min(0)
    .max(10_080)
    .default(24 * 60),
  ipTimeoutSeconds: z.number().int().min(1).max(840).default(180),
  guestScriptTimeoutSeconds: z.number().int().min(1).max(840).default(180),
  /** How long past a lease's expiry the reaper waits before a clone counts as leaked (the workflow tears down first). */
  provisioningAllowanceMinutes: z.number().min(0).max(1440).default(60),
  /**
   * What one instant clone is counted at when a fleet is placed on its sources' hosts, as a share of the source's
   * configured memory (config.hardware.memoryMB). A clone starts out sharing its source's memory copy-on-write and
   * takes memory of its own as its guest writes; half stands for a clone that runs a CI job. 1 = no overcommit.
   */
  cloneMemoryFraction: z.number().min(0).max(1).default(0.5),
  /**
   * Percent of each host's physical memory a fleet must leave free. ESXi starts reclaiming memory (page sharing,
   * then ballooning, compression, swapping) as free memory falls below 400 % of its minFree, about 4 % of a large
   * host; 10 % keeps fleets clear of that.
   */
  hostMemoryHeadroomPercent: z.number().min(0).max(90).default(10),
  /**
   * The most clones one requester may hold at once (all its runs, from ReserveQuota to FinishRun); absent =
   * unlimited. Read only through maxClonesHeldFor (quota.ts), so a per-requester policy can supply it.
   */
  maxClonesHeld: z.number().int().min(1).optional(),
  /** how long a run over its requester's quota waits for clones to be given back before QuotaExceeded */
  quotaWaitSeconds: z.number().int().min(0).max(840).default(0),
  /** Clones per child execution of the fan-out (ADR 0005); ValidateRequest checks it against the quotas. */
  sliceSize: z.number().int().min(1).max(200).default(25),
});

/**
 * The vCenter-wide throttle (ADR 0006): concurrent operations per kind across all executions. One definition
 * for the deployment config's `throttle` (cdk/config.ts) and WORKFLOW_CONFIG.
 */
export const throttleSchema = z.strictObject({
  limits: z
    .strictObject({
      clone: z.number().int().min(1).max(500).default(8),
      reconfigure: z.number().int().min(1).max(500).default(8),
      guest: z.number().int().min(1).max(500).default(16),
      teardown: z.number().int().min(1).max(500).default(8),
    })
    .prefault({}),
  /** how long one invocation waits for a permit before failing with VcenterUnavailable (then retried) */
  waitSeconds: z.number().int().min(1).max(600).default(60),
});

export const workflowConfigSchema = z.object({
  /**
   * Written into every clone (instantclone.deployment) and required by this deployment's Reaper and run-scoped
   * teardown, so that two stacks on one vCenter never remove each other's clones. The stack sets it.
   */
  deploymentId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, '1-64 letters, digits, ., _ or -')
    .default('default'),
  /**
   * VM folders the clones may be put in (inventory paths); default: the folders of the source VMs. The Reaper
   * looks only there, and a request's `folder` must be one of them.
   */
  cloneFolders: z.array(z.string().min(1)).min(1).optional(),
  vcenter: z.object({
    url: z.url(),
    insecure: z.boolean().optional(),
    caPem: z.string().optional(),
    /** vCenter certificate fingerprint to pin (a self-signed vCenter without `insecure`). */
    thumbprint: z.string().optional(),
    secretId: z.string().min(1),
  }),
  sources: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'source names are letters, digits, _ and -'),
    sourceSchema,
  ),
  defaults: defaultsSchema.default(defaultsSchema.parse({})),
  /** Who may ask for what (request-policy.ts). Only ValidateRequest gets it; without it every request passes. */
  requestPolicies: requestPoliciesSchema.optional(),
  throttle: throttleSchema.prefault({}),
});

export type WorkflowConfig = z.infer<typeof workflowConfigSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type SourceSettings = z.infer<typeof sourceSettingsSchema>;

export function parseConfig(text: string | undefined): WorkflowConfig {
  if (!text) throw new InvalidConfigError('WORKFLOW_CONFIG is not set');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError('WORKFLOW_CONFIG is not valid JSON', { cause: error });
  }
  const result = workflowConfigSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new InvalidConfigError(`WORKFLOW_CONFIG.${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

let cached: { text: string | undefined; config: WorkflowConfig } | undefined;

/** The configuration from process.env.WORKFLOW_CONFIG, re-parsed only when the variable changes. */
export function loadConfig(): WorkflowConfig {
  const text = process.env.WORKFLOW_CONFIG;
  if (cached?.text !== text || !cached) cached = { text, config: parseConfig(text) };
  return cached.config;
}
