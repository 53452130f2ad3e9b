// The deployment configuration: one JSON file, validated with zod before any construct is built, so a typo
// fails `cdk synth` with the offending field's path instead of a half-built stack or a broken deploy.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { defaultsSchema, sourceSettingsSchema, throttleSchema } from '../lambdas/workflow/config.js';
import { requestSchema } from '../lambdas/workflow/request.js';
import { checkRequestPolicy, ipv4Cidr, requestPoliciesSchema } from '../lambdas/workflow/request-policy.js';

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

/** A source as the handlers know it (sourceSettingsSchema), with its guest accounts named as secrets. */
const source = z.strictObject({
  ...sourceSettingsSchema.shape,
  /** Inventory paths of the frozen source VMs, one per ESXi host (instant clones stay on the source's host). */
  paths: z
    .array(z.string().regex(/^\/.+\/vm\/.+/, 'must be an inventory path like /DC/vm/folder/name'))
    .min(1),
  /** Secret holding `{"username","password"}` of the guest account used for guest operations. */
  guestSecret: secretRef,
  /** A separate, less privileged guest account the request's smokeCommand runs as (request policies). */
  smokeGuestSecret: secretRef.optional(),
});

const existingVpc = z.strictObject({
  mode: z.literal('existing'),
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id like vpc-0123456789abcdef0'),
  /** Subnet group (the `aws-cdk:subnet-name` tag, e.g. "Private") whose subnets route to vCenter. */
  subnetGroupName: z.string().min(1),
});

const dhGroups = (allowed: number[]) =>
  z
    .array(z.number().refine((n) => allowed.includes(n), `must be one of ${allowed.join(', ')}`))
    .min(1)
    .optional();

/** IKE options of one tunnel (AWS::EC2::VPNConnection VpnTunnelOptionsSpecification); omitted: AWS defaults. */
const ikeOptions = z.strictObject({
  ikeVersions: z
    .array(z.enum(['ikev1', 'ikev2']))
    .min(1)
    .optional(),
  phase1EncryptionAlgorithms: z
    .array(z.enum(['AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16']))
    .min(1)
    .optional(),
  phase2EncryptionAlgorithms: z
    .array(z.enum(['AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16']))
    .min(1)
    .optional(),
  phase1IntegrityAlgorithms: z
    .array(z.enum(['SHA1', 'SHA2-256', 'SHA2-384', 'SHA2-512']))
    .min(1)
    .optional(),
  phase2IntegrityAlgorithms: z
    .array(z.enum(['SHA1', 'SHA2-256', 'SHA2-384', 'SHA2-512']))
    .min(1)
    .optional(),
  phase1DhGroupNumbers: dhGroups([2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]),
  phase2DhGroupNumbers: dhGroups([2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]),
  phase1LifetimeSeconds: z.number().int().min(900).max(28_800).optional(),
  phase2LifetimeSeconds: z.number().int().min(900).max(3600).optional(),
});

const tunnel = z.strictObject({
  /** Secret with this tunnel's pre-shared key (plain string, or JSON with `preSharedKeyJsonField`). */
  preSharedKeySecret: secretRef,
  preSharedKeyJsonField: z.string().min(1).optional(),
  ike: ikeOptions.optional(),
});

const vpn = z
  .strictObject({
    /** Public IP of the on-premises VPN device (customer gateway). */
    customerGatewayIp: z.ipv4(),
    /** On-premises CIDRs routed statically over the VPN; omit to use BGP. */
    staticRoutes: z.array(ipv4Cidr).min(1).optional(),
    /** BGP ASN of the customer gateway (dynamic routing). */
    bgpAsn: z.number().int().min(1).max(4294967294).optional(),
    /** The two tunnels, each with its own pre-shared key secret and IKE options. */
    tunnels: z.tuple([tunnel, tunnel]),
  })
  .refine((v) => v.staticRoutes !== undefined || v.bgpAsn !== undefined, {
    message: 'set staticRoutes (static routing) or bgpAsn (BGP)',
    path: ['staticRoutes'],
  })
  .refine((v) => v.tunnels[0].preSharedKeySecret !== v.tunnels[1].preSharedKeySecret, {
    message: 'each tunnel needs its own pre-shared key secret',
    path: ['tunnels', 1, 'preSharedKeySecret'],
  });

const newVpc = z.strictObject({
  mode: z.literal('new'),
  cidr: ipv4Cidr.default('10.80.0.0/22'),
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
  /**
   * Written into every clone (instantclone.deployment); this stack's Reaper and run-scoped teardown remove only
   * clones carrying it, so two stacks on one vCenter leave each other's clones alone. Default: the stack name.
   */
  deploymentId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, '1-64 letters, digits, ., _ or -')
    .optional(),
  /** VM folders clones may be put in (inventory paths); default: the source VMs' folders. The Reaper looks only there. */
  cloneFolders: z.array(z.string().min(1)).min(1).optional(),
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
    /**
     * Lab only: skip TLS verification (the client logs a warning on every connect). Synth refuses it unless the
     * context flag `-c allowInsecureVcenter=true` is passed too; prefer `thumbprint`.
     */
    insecure: z.boolean().default(false),
    /** Pin vCenter's certificate by its SHA-256 (or SHA-1) fingerprint: the safe way to a self-signed vCenter. */
    thumbprint: z
      .string()
      .regex(
        /^([0-9A-Fa-f]{2}:?){19}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
        'must be a SHA-256 (or SHA-1) fingerprint in hex, colons optional',
      )
      .optional(),
  }),
  network: z.strictObject({
    /** Where vCenter listens (443). */
    vcenterCidrs: z.array(ipv4Cidr).min(1),
    /** ESXi management addresses: guest file transfer URLs point at the VM's host, not at vCenter. */
    esxiCidrs: z.array(ipv4Cidr).min(1),
    vpc: z.discriminatedUnion('mode', [existingVpc, newVpc]),
    endpoints: endpoints.prefault({ mode: 'create' }),
    /**
     * Route 53 Resolver outbound endpoint forwarding these on-premises domains to these DNS servers (port 53),
     * so vcenter.url's host and the ESXi host names resolve inside the VPC.
     */
    dns: z
      .strictObject({
        domains: z
          .array(
            z
              .string()
              .regex(/^([a-z0-9-]{1,63}\.)+[a-z]{2,63}\.?$/i, 'must be a domain like corp.example.com'),
          )
          .min(1),
        serverIps: z.array(z.ipv4()).min(1).max(6),
      })
      .optional(),
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
  /** Who may ask for what (lambdas/workflow/request-policy.ts); only ValidateRequest receives it. */
  requestPolicies: requestPoliciesSchema,
  /**
   * Customer-managed KMS key for the log groups, the bus, the dead-letter queue, the state machine, and
   * kms:Decrypt (via Secrets Manager) for the functions' secrets: `create` a key, or use an `existing` one.
   */
  kms: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('create') }),
      z.strictObject({
        mode: z.literal('existing'),
        keyArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'must be a KMS key ARN'),
      }),
    ])
    .optional(),
  /**
   * Who may put events on the stack's bus (its resource policy): IAM role or user ARNs, or 12-digit account ids.
   * Nobody else can, and only the stack's own roles may put events with the stack's `source`.
   */
  eventBus: z
    .strictObject({
      putEventsPrincipals: z
        .array(
          z
            .string()
            .regex(
              /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+)$/,
              'must be an IAM role or user ARN, or a 12-digit account id',
            ),
        )
        .default([]),
    })
    .prefault({}),
  /** Passed to the handlers in WORKFLOW_CONFIG.defaults (lambdas/workflow/config.ts); a request may override some. */
  defaults: defaultsSchema.prefault({}),
  /** The vCenter-wide throttle (docs/adr/0006-vcenter-throttle.md), passed to the handlers in WORKFLOW_CONFIG.throttle. */
  throttle: throttleSchema.prefault({}),
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
      /** `retain` keeps the log groups when the stack is deleted (audits); `destroy` removes them. */
      logRemoval: z.enum(['destroy', 'retain']).default('destroy'),
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
  const fail = (line: string): never => {
    throw new ConfigError(`Invalid deployment config ${origin}:\n  ${line}`);
  };
  if (config.vcenter.insecure && config.vcenter.thumbprint !== undefined) {
    fail('vcenter.insecure: give insecure or thumbprint, not both (a pinned certificate is verified)');
  }
  const policies = config.requestPolicies;
  [policies.default, ...policies.named].forEach((policy, i) => {
    const at = i === 0 ? 'requestPolicies.default' : `requestPolicies.named.${i - 1}`;
    policy.sources.forEach((name, j) => {
      if (!Object.hasOwn(config.sources, name)) fail(`${at}.sources.${j}: "${name}" is not in sources`);
    });
  });
  if (nightly !== undefined) {
    // The schedule starts executions directly: the policy for principal `direct` must allow its input.
    try {
      checkRequestPolicy(
        requestSchema.parse(nightly.input),
        { kind: 'direct' },
        { requestPolicies: policies, sources: smokeAccounts(config) },
      );
    } catch (error) {
      fail(`schedules.nightlyFleet.input: ${(error as Error).message}`);
    }
  }
  checkVpnRoutes(config, fail);
  if (config.network.vpc.mode === 'existing' && config.env === undefined) {
    throw new ConfigError(
      `Invalid deployment config ${origin}:\n  env: required when network.vpc.mode is "existing" (Vpc.fromLookup needs account and region)`,
    );
  }
  return config;
}

/** What checkRequestPolicy needs to know about sources: whether each has a smoke-command account. */
function smokeAccounts(config: DeployConfig): Record<string, { smokeGuestSecretId?: string }> {
  return Object.fromEntries(
    Object.entries(config.sources).map(([name, s]) => [
      name,
      s.smokeGuestSecret === undefined ? {} : { smokeGuestSecretId: s.smokeGuestSecret },
    ]),
  );
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** [first, last] address of a CIDR (or of one address). */
function rangeOf(cidrOrIp: string): [number, number] {
  const [base = '', bits = '32'] = cidrOrIp.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToNumber(base) / size) * size;
  return [start, start + size - 1];
}

/**
 * With a new VPC and static VPN routes, vCenter, ESXi and the DNS servers must lie inside those routes, or the
 * functions could never reach them. BGP routes are learned at run time and cannot be checked here; neither can
 * an existing VPC's routing.
 */
function checkVpnRoutes(config: DeployConfig, fail: (line: string) => never): void {
  const vpc = config.network.vpc;
  if (vpc.mode !== 'new' || vpc.vpn.staticRoutes === undefined) return;
  const routes = vpc.vpn.staticRoutes.map(rangeOf);
  const covered = (target: string) => {
    const [first, last] = rangeOf(target);
    return routes.some(([a, b]) => a <= first && last <= b);
  };
  const routeList = vpc.vpn.staticRoutes.join(', ');
  const targets: [string, string[]][] = [
    ['network.vcenterCidrs', config.network.vcenterCidrs],
    ['network.esxiCidrs', config.network.esxiCidrs],
    ['network.dns.serverIps', config.network.dns?.serverIps ?? []],
  ];
  for (const [field, list] of targets) {
    list.forEach((target, i) => {
      if (!covered(target)) {
        fail(
          `${field}.${i}: ${target} is not inside the VPN's staticRoutes (${routeList}); it would be unreachable`,
        );
      }
    });
  }
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
