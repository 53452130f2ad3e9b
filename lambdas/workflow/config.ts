// WORKFLOW_CONFIG (ADR 0001): one JSON document in one env var, set by the CDK stack on AWS and by the local
// runner before it imports the handlers. Parsed once per container; a bad document fails with InvalidConfig
// naming the field.
import { z } from 'zod';
import { InvalidConfigError } from './errors.js';

const sourceSchema = z.object({
  /** Inventory paths of frozen VMs, one per ESXi host; clones are spread round-robin across them. */
  paths: z.array(z.string().min(1)).min(1),
  os: z.enum(['linux', 'windows']),
  /** Windows interface name for netsh (default Ethernet0). Linux ignores it: the interface is found by the clone's MAC. */
  nicName: z.string().min(1).optional(),
  /** Replaces the built-in DHCP refresh script (shell on Linux, cmd.exe on Windows). */
  refreshCommand: z.string().min(1).optional(),
  /** Replaces the built-in static-IP script; may use $IC_IP, $IC_PREFIX, $IC_GATEWAY, $IC_DNS (%IC_IP% … on Windows). */
  staticRefreshCommand: z.string().min(1).optional(),
  guestSecretId: z.string().min(1),
});

const defaultsSchema = z.object({
  maxConcurrency: z.number().int().min(1).max(100).default(10),
  leaseMinutes: z.number().min(0).default(60),
  maxLeaseMinutes: z
    .number()
    .min(0)
    .default(24 * 60),
  ipTimeoutSeconds: z.number().int().min(1).max(840).default(300),
  guestScriptTimeoutSeconds: z.number().int().min(1).max(840).default(180),
  /** How long the reaper should wait past the lease before a clone counts as leaked. */
  provisioningAllowanceMinutes: z.number().min(0).default(60),
  /**
   * The most clones one requester may hold at once (all its runs, from ReserveQuota to FinishRun); absent =
   * unlimited. Read only through maxClonesHeldFor (quota.ts), so a per-requester policy can supply it.
   */
  maxClonesHeld: z.number().int().min(1).optional(),
  /** how long a run over its requester's quota waits for clones to be given back before QuotaExceeded */
  quotaWaitSeconds: z.number().int().min(0).max(840).default(0),
  /** Clones per child execution of the fan-out (ADR 0002); ValidateRequest checks it against the quotas. */
  sliceSize: z.number().int().min(1).max(200).default(25),
});

/** The vCenter-wide throttle (ADR 0003): concurrent operations per kind across all executions. */
const throttleSchema = z.object({
  limits: z
    .object({
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
  vcenter: z.object({
    url: z.url(),
    insecure: z.boolean().optional(),
    caPem: z.string().optional(),
    secretId: z.string().min(1),
  }),
  sources: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'source names are letters, digits, _ and -'),
    sourceSchema,
  ),
  defaults: defaultsSchema.default(defaultsSchema.parse({})),
  throttle: throttleSchema.prefault({}),
});

export type WorkflowConfig = z.infer<typeof workflowConfigSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;

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
