// The deployment configuration: one JSON file, validated with zod before any construct is built, so a typo
// fails `cdk synth` with the offending field's path instead of a half-built stack or a broken deploy.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { requestSchema } from '../lambdas/workflow/request.js';

const cidr = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/,
    'must be an IPv4 CIDR like 10.0.0.0/24',
  )
  .refine(
    (v) =>
      v
        .split('/')[0]
        ?.split('.')
        .every((o) => Number(o) <= 255),
    'octets must be 0-255',
  );

/** A Secrets Manager secret by name (`ic/vcenter`) or by its complete ARN (with the 6-character suffix). */
const secretRef = z
  .string()
  .min(1)
  .regex(
    /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}|[\w/+=.@-]+)$/,
    'must be a secret name (letters, digits, /_+=.@-) or a complete secret ARN',
  );

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin');

const source = z.strictObject({
  /** Inventory paths of the frozen source VMs, one per ESXi host (instant clones stay on the source's host). */
  paths: z
    .array(z.string().regex(/^\/.+\/vm\/.+/, 'must be an inventory path like /DC/vm/folder/name'))
    .min(1),
  os: z.enum(['linux', 'windows']),
  /** Secret holding `{"username","password"}` of the guest account used for guest operations. */
  guestSecret: secretRef,
  /** Windows interface name for netsh (Linux ignores it). */
  nicName: z.string().min(1).optional(),
  /** Overrides the built-in guest network refresh script for this source. */
  refreshCommand: z.string().min(1).optional(),
  /** Overrides the built-in static-IP script ($IC_IP, $IC_PREFIX, $IC_GATEWAY, $IC_DNS; %IC_IP% … on Windows). */
  staticRefreshCommand: z.string().min(1).optional(),
});

const existingVpc = z.strictObject({
  mode: z.literal('existing'),
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id like vpc-0123456789abcdef0'),
  /** Subnet group (the `aws-cdk:subnet-name` tag, e.g. "Private") whose subnets route to vCenter. */
  subnetGroupName: z.string().min(1),
});

const vpn = z
  .strictObject({
    /** Public IP of the on-premises VPN device (customer gateway). */
    customerGatewayIp: z.ipv4(),
    /** On-premises CIDRs routed statically over the VPN; omit to use BGP. */
    staticRoutes: z.array(cidr).min(1).optional(),
    /** BGP ASN of the customer gateway (dynamic routing). */
    bgpAsn: z.number().int().min(1).max(4294967294).optional(),
    /** Secret holding the tunnels' pre-shared key (plain string, or JSON with `jsonField`). */
    preSharedKeySecret: secretRef,
    preSharedKeyJsonField: z.string().min(1).optional(),
  })
  .refine((v) => v.staticRoutes !== undefined || v.bgpAsn !== undefined, {
    message: 'set staticRoutes (static routing) or bgpAsn (BGP)',
    path: ['staticRoutes'],
  });

const newVpc = z.strictObject({
  mode: z.literal('new'),
  cidr: cidr.default('10.80.0.0/22'),
  maxAzs: z.number().int().min(2).max(3).default(2),
  vpn,
});

const endpoints = z.discriminatedUnion('mode', [
  /** Interface endpoints created by this stack (a VPC without NAT, or to keep AWS API traffic private). */
  z.strictObject({
    mode: z.literal('create'),
    services: z
      .array(z.enum(['secretsmanager', 'states', 'events', 'xray', 'sts', 'kms', 'logs', 'monitoring']))
      .default(['secretsmanager', 'states', 'events'])
      // Without these the handlers cannot fetch secrets, the release function cannot call SendTaskSuccess and
      // the reaper cannot publish its event, in a VPC with no NAT.
      .refine(
        (list) => ['secretsmanager', 'states', 'events'].every((needed) => list.includes(needed as never)),
        'must include secretsmanager, states and events (the functions call those APIs)',
      ),
  }),
  /** The VPC already has private-DNS interface endpoints; allow 443 to their security groups. */
  z.strictObject({
    mode: z.literal('existing'),
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id')).min(1),
  }),
]);

const cron = z
  .string()
  .regex(
    /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/,
    'must be an EventBridge Scheduler cron expression with six fields, e.g. "cron(0 2 * * ? *)"',
  );

// Every default lives on its field; `.prefault(...)` runs an omitted object through its own schema so the
// field defaults apply instead of a second copy of them.
export const configSchema = z.strictObject({
  /** CloudFormation stack name. */
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
    .default('InstantCloneFleets'),
  /** Required for `vpc.mode = existing` (Vpc.fromLookup needs a concrete account and region). */
  env: z.strictObject({ account: z.string().regex(/^\d{12}$/), region: z.string().min(1) }).optional(),
  vcenter: z.strictObject({
    url: z
      .url({ protocol: /^https$/ })
      .refine((u) => new URL(u).pathname === '/sdk', 'must be the SDK endpoint, https://<vcenter>/sdk'),
    /** PEM bundle of the CA that signed vCenter's certificate (VMCA root); relative to the repo root. */
    caBundlePath: z.string().min(1).optional(),
    /** Secret holding `{"username","password"}` of the vCenter service account. */
    secret: secretRef,
    /** Lab only: skip TLS verification (the client logs a warning on every connect). */
    insecure: z.boolean().default(false),
  }),
  network: z.strictObject({
    /** Where vCenter listens (443). */
    vcenterCidrs: z.array(cidr).min(1),
    /** ESXi management addresses: guest file transfer URLs point at the VM's host, not at vCenter. */
    esxiCidrs: z.array(cidr).min(1),
    vpc: z.discriminatedUnion('mode', [existingVpc, newVpc]),
    endpoints: endpoints.prefault({ mode: 'create' }),
  }),
  sources: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'source names are lower-case kebab-case'), source)
    .refine((s) => Object.keys(s).length > 0, 'define at least one source'),
  schedules: z
    .strictObject({
      nightlyFleet: z
        .strictObject({
          enabled: z.boolean().default(true),
          cron,
          timeZone,
          /** The state machine input (a fleet request, see docs/deploy.md). */
          input: z.record(z.string(), z.unknown()),
        })
        .optional(),
      reaper: z
        .strictObject({
          enabled: z.boolean().default(true),
          rateMinutes: z.number().int().min(5).max(1440).default(30),
          /** Upper bound of VMs destroyed per run, so one bad marker cannot empty a cluster in one go. */
          maxPerRun: z.number().int().min(1).max(500).default(25),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Passed to the handlers in WORKFLOW_CONFIG.defaults (lambdas/workflow/config.ts); a request may override some. */
  defaults: z
    .strictObject({
      maxConcurrency: z.number().int().min(1).max(100).default(5),
      leaseMinutes: z.number().int().min(0).max(10_080).default(60),
      maxLeaseMinutes: z.number().int().min(0).max(10_080).default(1440),
      ipTimeoutSeconds: z.number().int().min(10).max(840).default(180),
      guestScriptTimeoutSeconds: z.number().int().min(10).max(840).default(180),
      /** Time past a lease's expiry before the reaper treats the clone as leaked (the workflow tears down first). */
      provisioningAllowanceMinutes: z.number().int().min(0).max(1440).default(60),
      /** The most clones one requester may hold at once (QuotaExceeded beyond); absent = unlimited. */
      maxClonesHeld: z.number().int().min(1).optional(),
      /** How long a run over its requester's quota waits for clones to be given back. */
      quotaWaitSeconds: z.number().int().min(0).max(840).default(0),
      /** Clones per child execution of the fan-out (docs/adr/0002-fleet-fan-out.md). */
      sliceSize: z.number().int().min(1).max(200).default(25),
    })
    .prefault({}),
  /** The vCenter-wide throttle (docs/adr/0003-vcenter-throttle.md), passed to the handlers in WORKFLOW_CONFIG.throttle. */
  throttle: z
    .strictObject({
      /** concurrent vCenter operations of each kind across all executions */
      limits: z
        .strictObject({
          clone: z.number().int().min(1).max(500).default(8),
          reconfigure: z.number().int().min(1).max(500).default(8),
          guest: z.number().int().min(1).max(500).default(16),
          teardown: z.number().int().min(1).max(500).default(8),
        })
        .prefault({}),
      /** how long one invocation waits for a permit before VcenterUnavailable (retried by the state machine) */
      waitSeconds: z.number().int().min(1).max(600).default(60),
    })
    .prefault({}),
  observability: z
    .strictObject({
      logRetentionDays: z
        .union([
          z.literal(1),
          z.literal(3),
          z.literal(5),
          z.literal(7),
          z.literal(14),
          z.literal(30),
          z.literal(60),
          z.literal(90),
          z.literal(180),
          z.literal(365),
        ])
        .default(30),
      /** Milliseconds above which the p90 clone or IP phase raises an alarm. */
      clonePhaseAlarmMs: z.number().int().positive().default(30_000),
      ipPhaseAlarmMs: z.number().int().positive().default(60_000),
      /** Existing SNS topic every alarm notifies (optional). */
      alarmTopicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN')
        .optional(),
    })
    .prefault({}),
});

export type DeployConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates a parsed config; the error lists every bad field as `path.to.field: message`. */
export function parseConfig(raw: unknown, origin = 'config'): DeployConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      // A typo'd key is reported at its own path, so the message names the field the operator wrote.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `  ${[...path, key].join('.')}: unknown field`);
      }
      return [`  ${path.length > 0 ? path.join('.') : '(root)'}: ${issue.message}`];
    });
    throw new ConfigError(`Invalid deployment config ${origin}:\n${lines.join('\n')}`);
  }
  const config = result.data;
  const nightly = config.schedules.nightlyFleet;
  if (nightly !== undefined) {
    // The nightly input is a request like any other: validate it with the workflow's own schema now, not at 2 am.
    const request = requestSchema.safeParse(nightly.input);
    if (!request.success) {
      const lines = request.error.issues.map(
        (i) => `  schedules.nightlyFleet.input.${i.path.map(String).join('.')}: ${i.message}`,
      );
      throw new ConfigError(`Invalid deployment config ${origin}:\n${lines.join('\n')}`);
    }
    request.data.sources.forEach((s, i) => {
      if (!(s.source in config.sources)) {
        throw new ConfigError(
          `Invalid deployment config ${origin}:\n  schedules.nightlyFleet.input.sources.${i}.source: "${s.source}" is not in sources`,
        );
      }
    });
  }
  if (config.network.vpc.mode === 'existing' && config.env === undefined) {
    throw new ConfigError(
      `Invalid deployment config ${origin}:\n  env: required when network.vpc.mode is "existing" (Vpc.fromLookup needs account and region)`,
    );
  }
  return config;
}

/** Reads and validates the config file; relative paths resolve against `root` (the repository root). */
export function loadConfig(path: string, root: string): DeployConfig {
  const file = isAbsolute(path) ? path : resolve(root, path);
  if (!existsSync(file)) throw new ConfigError(`Deployment config not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Deployment config ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseConfig(raw, file);
  const ca = config.vcenter.caBundlePath;
  if (ca !== undefined) {
    const caFile = isAbsolute(ca) ? ca : resolve(root, ca);
    if (!existsSync(caFile) || !readFileSync(caFile, 'utf8').includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(
        `Invalid deployment config ${file}:\n  vcenter.caBundlePath: no PEM certificate at ${caFile}`,
      );
    }
  }
  return config;
}
