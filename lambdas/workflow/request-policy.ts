// Who may put which clone where: named request policies from the deployment config (WORKFLOW_CONFIG
// .requestPolicies), selected by requester id pattern and/or the principal that started the run. ValidateRequest
// applies the selected policy after the schema checks, so a request outside it fails with InvalidRequest before
// anything is created. The same schema is used by the CDK config (cdk/config.ts) and the local runner.
import * as z from 'zod';
import type { WorkflowConfig } from './config.js';
import { InvalidRequestError } from './errors.js';
import type { CloneRequest } from './request.js';

/** An IPv4 CIDR with octets 0-255; the deployment config's network ranges use it too. */
export const ipv4Cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 CIDR like 10.20.0.64/26')
  .refine(
    (v) =>
      v
        .split('/')[0]
        ?.split('.')
        .every((o) => Number(o) <= 255),
    'octets must be 0-255',
  );

const inventoryPrefix = z
  .string()
  .regex(/^\/[^\p{C}]{1,511}$/u, 'must be a printable inventory path starting with /')
  .refine((p) => !p.split('/').includes('..'), 'must not contain .. segments');

/**
 * `account:<12 digits>` and `source:<event source>` match runs started by an `Instant Clones Requested` event
 * (EventBridge sets `account`; `source` is chosen by the sender); `direct` matches runs started by a direct
 * StartExecution (console, the nightly schedule, an SDK call by someone holding states:StartExecution).
 */
const principalPattern = z
  .string()
  .regex(
    /^(account:\d{12}|source:[\w.:/-]{1,256}|direct)$/,
    'must be account:<12-digit id>, source:<event source> or direct',
  );

const requesterIdPattern = z.string().refine((p) => {
  try {
    new RegExp(`^(?:${p})$`);
    return true;
  } catch {
    return false;
  }
}, 'must be a regular expression (matched against the whole requesterId)');

export const SMOKE_COMMAND_MODES = ['forbidden', 'allowed', 'smokeAccountOnly'] as const;

export const requestPolicySchema = z.strictObject({
  /** Source names (from `sources`) this policy may clone. */
  sources: z.array(z.string().min(1)).min(1),
  /**
   * Port groups a request may name in `network` (exactly as written in the request), each with the static-IP
   * ranges allowed on it. Omitting `network` (the source's own port group) is always allowed, with DHCP only.
   */
  networks: z
    .array(
      z.strictObject({ name: z.string().min(1).max(256), staticIpRanges: z.array(ipv4Cidr).default([]) }),
    )
    .default([]),
  /** VM folders a request may name (the folder itself or anything below it); omitted = the source's folder. */
  folders: z.array(inventoryPrefix).default([]),
  /** Resource pools a request may name (the pool itself or anything below it); omitted = the source's pool. */
  pools: z.array(inventoryPrefix).default([]),
  /** Largest fleet (clones per run). */
  maxClones: z.number().int().min(1).max(5000),
  /**
   * The most clones one requester under this policy may hold at once over all its runs (the quota, ADR 0006:
   * ReserveQuota to FinishRun); absent = the deployment's defaults.maxClonesHeld (absent too: unlimited).
   */
  maxClonesHeld: z.number().int().min(1).optional(),
  /** Longest lease in minutes (also the default lease's upper bound). */
  maxLeaseMinutes: z.number().int().min(0).max(10_080),
  /**
   * `forbidden`: no smokeCommand. `allowed`: it runs as the source's `smokeGuestSecret` account when the source
   * has one, else as its guest account (root/Administrator). `smokeAccountOnly`: only on sources with a
   * `smokeGuestSecret` (a separate, less privileged account).
   */
  smokeCommand: z.enum(SMOKE_COMMAND_MODES).default('forbidden'),
});

export const namedPolicySchema = requestPolicySchema.extend({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'must be 1-64 letters, digits or ._-'),
  /**
   * When this policy applies. Every given list must match (a requesterId pattern AND a principal); within a
   * list any entry matches. requesterId is what the requester claims: name a principal for anything wider
   * than the default policy.
   */
  match: z
    .strictObject({
      requesterIds: z.array(requesterIdPattern).min(1).optional(),
      principals: z.array(principalPattern).min(1).optional(),
    })
    .refine((m) => m.requesterIds !== undefined || m.principals !== undefined, {
      message: 'set requesterIds, principals or both',
    }),
});

export const requestPoliciesSchema = z.strictObject({
  /** Applies to every run no named policy matches. */
  default: requestPolicySchema,
  /** Tried in order; the first match wins. */
  named: z.array(namedPolicySchema).default([]),
});

export type RequestPolicy = z.infer<typeof requestPolicySchema>;
export type RequestPolicies = z.infer<typeof requestPoliciesSchema>;
export type SmokeCommandMode = RequestPolicy['smokeCommand'];

/** Who started the run, as ValidateRequest learns it (see docs/deploy.md, "Request policies"). */
export type Principal = { kind: 'event'; account: string; source: string } | { kind: 'direct' };

export interface SelectedPolicy {
  name: string;
  policy: RequestPolicy;
}

function principalMatches(pattern: string, principal: Principal): boolean {
  if (pattern === 'direct') return principal.kind === 'direct';
  if (principal.kind !== 'event') return false;
  if (pattern.startsWith('account:')) return pattern.slice('account:'.length) === principal.account;
  return pattern.slice('source:'.length) === principal.source;
}

export function selectPolicy(
  policies: RequestPolicies,
  requesterId: string,
  principal: Principal,
): SelectedPolicy {
  for (const named of policies.named) {
    const { requesterIds, principals } = named.match;
    const idOk = requesterIds?.some((p) => new RegExp(`^(?:${p})$`).test(requesterId)) ?? true;
    const principalOk = principals?.some((p) => principalMatches(p, principal)) ?? true;
    if (idOk && principalOk) return { name: named.name, policy: named };
  }
  return { name: 'default', policy: policies.default };
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base) / size) * size;
  const n = ipToNumber(ip);
  return n >= start && n < start + size;
}

function underAny(path: string, allowed: string[]): boolean {
  return allowed.some((a) => {
    const prefix = a.replace(/\/+$/, '');
    return path === prefix || path.startsWith(`${prefix}/`);
  });
}

/**
 * Throws InvalidRequest naming the field and the policy when the request asks for more than the policy allows.
 * `sourceHasSmokeAccount` tells whether a source has a separate smoke-command guest account configured.
 */
export function enforcePolicy(
  request: CloneRequest,
  selected: SelectedPolicy,
  sourceHasSmokeAccount: (source: string) => boolean,
): void {
  const { name, policy } = selected;
  const deny = (field: string, message: string): never => {
    throw new InvalidRequestError(`${field}: ${message} (request policy '${name}')`);
  };
  request.sources.forEach((s, i) => {
    if (!policy.sources.includes(s.source)) {
      deny(`sources[${i}].source`, `'${s.source}' is not allowed; allowed: ${policy.sources.join(', ')}`);
    }
  });
  const total = request.sources.reduce((n, s) => n + s.count, 0);
  if (total > policy.maxClones) deny('sources', `${total} clones asked for, at most ${policy.maxClones}`);
  if (request.leaseMinutes !== undefined && request.leaseMinutes > policy.maxLeaseMinutes) {
    deny('leaseMinutes', `is ${request.leaseMinutes}, at most ${policy.maxLeaseMinutes}`);
  }
  if (request.folder !== undefined && !underAny(request.folder, policy.folders)) {
    deny('folder', `'${request.folder}' is not an allowed folder`);
  }
  if (request.pool !== undefined && !underAny(request.pool, policy.pools)) {
    deny('pool', `'${request.pool}' is not an allowed resource pool`);
  }
  const network =
    request.network === undefined ? undefined : policy.networks.find((n) => n.name === request.network);
  if (request.network !== undefined && network === undefined) {
    deny('network', `'${request.network}' is not an allowed port group`);
  }
  if (request.staticIps !== undefined) {
    if (network === undefined) deny('staticIps', 'static addresses need a network the policy names');
    const ranges = network?.staticIpRanges ?? [];
    request.staticIps.addresses.forEach((ip, i) => {
      if (!ranges.some((r) => ipInCidr(ip, r))) {
        deny(
          `staticIps.addresses[${i}]`,
          `${ip} is outside the ranges allowed on '${request.network}' (${ranges.join(', ') || 'none'})`,
        );
      }
    });
  }
  if (request.smokeCommand !== undefined) {
    if (policy.smokeCommand === 'forbidden') deny('smokeCommand', 'is not allowed');
    if (policy.smokeCommand === 'smokeAccountOnly') {
      request.sources.forEach((s, i) => {
        if (!sourceHasSmokeAccount(s.source)) {
          deny(
            'smokeCommand',
            `must run as a separate guest account, and source '${request.sources[i]?.source}' has no smokeGuestSecret`,
          );
        }
      });
    }
  }
}

/**
 * The `Instant Clones Requested` rule starts executions with `{ request: <detail>, principal: { account, source } }`
 * (cdk/constructs/triggers.ts), so a requester on the bus cannot choose its principal: whatever it puts in
 * `detail` ends up under `request`. Any other input is a request started directly (console, schedule, SDK).
 */
const eventStart = z.strictObject({
  request: z.unknown(),
  principal: z.strictObject({
    account: z.string().regex(/^\d{12}$/),
    source: z.string().min(1).max(256),
  }),
});

export function startInputOf(input: unknown): { request: unknown; principal: Principal } {
  const parsed = eventStart.safeParse(input);
  if (parsed.success) {
    return { request: parsed.data.request, principal: { kind: 'event', ...parsed.data.principal } };
  }
  return { request: input, principal: { kind: 'direct' } };
}

/** Applies the configured policies (none configured: nothing to enforce); returns the policy's name. */
export function checkRequestPolicy(
  request: CloneRequest,
  principal: Principal,
  config: Pick<WorkflowConfig, 'requestPolicies'> & {
    sources: Record<string, { smokeGuestSecretId?: string | undefined }>;
  },
): string | undefined {
  if (config.requestPolicies === undefined) return undefined;
  const selected = selectPolicy(config.requestPolicies, request.requesterId, principal);
  enforcePolicy(request, selected, (source) => config.sources[source]?.smokeGuestSecretId !== undefined);
  return selected.name;
}
