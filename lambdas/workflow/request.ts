// The execution input (also the `detail` of an `Instant Clones Requested` event). Documented as JSON Schema
// in docs/request.schema.json (generated from this file by request-schema.ts).
import { z } from 'zod';
import type { WorkflowConfig } from './config.js';
import { InvalidRequestError } from './errors.js';
import { checkStaticIps } from './static-ips.js';

const inventoryPath = z.string().regex(/^\/.+/, 'must be an inventory path starting with /');

export const staticIpsSchema = z
  .strictObject({
    addresses: z.array(z.ipv4()).min(1).describe('One address per clone, used in clone order.'),
    prefixLength: z.number().int().min(1).max(32),
    gateway: z.ipv4(),
    dns: z.array(z.ipv4()).max(3).optional(),
  })
  .superRefine(checkStaticIps)
  .describe('Give the clones fixed addresses instead of DHCP (delivered as guestinfo.ic.* at clone time).');

export const requestSchema = z
  .strictObject({
    requesterId: z
      .string()
      .regex(/^[\w.@:/+-]{1,128}$/, 'must be 1-128 letters, digits or ._@:/+-')
      .describe('Who asked (pipeline run URL, user); recorded on every clone.'),
    namePrefix: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,39}$/,
        'must be 1-40 lower-case letters, digits or -, starting alphanumeric',
      )
      .describe('Clone names are <namePrefix>-<runId>-<nn>.'),
    sources: z
      .array(
        z.strictObject({
          source: z.string().min(1).describe('A source name from the deployment configuration.'),
          count: z.number().int().min(1).max(5000),
        }),
      )
      .min(1)
      .max(20)
      .describe('What to clone: configured source names with a clone count each.'),
    folder: inventoryPath.optional().describe("VM folder for the clones (default: the source's folder)."),
    pool: inventoryPath.optional().describe("Resource pool for the clones (default: the source's)."),
    network: z
      .string()
      .min(1)
      .optional()
      .describe("Port group for the clones' first NIC (default: the source's)."),
    leaseMinutes: z
      .number()
      .min(0)
      .optional()
      .describe('How long the clones are held after Ready before teardown; 0 = tear down right away.'),
    minReady: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Fewest ready clones for the run to succeed (default: all).'),
    staticIps: staticIpsSchema.optional(),
    smokeCommand: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('Run in each ready clone (sh -c / cmd.exe /c); a non-zero exit fails that clone.'),
    maxConcurrency: z.number().int().min(1).max(100).optional().describe('Clones provisioned at once.'),
    ipTimeoutSeconds: z.number().int().min(1).max(840).optional().describe('How long to wait for each IP.'),
  })
  .describe('Instant Clones Requested');

export type CloneRequest = z.infer<typeof requestSchema>;

function fail(path: PropertyKey[], message: string): never {
  const field = path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
  throw new InvalidRequestError(`${field || 'request'}: ${message}`);
}

/** Parses and checks the request against the configuration; throws InvalidRequest naming the first bad field. */
export function parseRequest(input: unknown, config: WorkflowConfig): CloneRequest {
  const result = requestSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? issue.keys : [];
    fail([...(issue?.path ?? []), ...keys.slice(0, 1)], issue?.message ?? 'invalid');
  }
  const request = result.data;
  const names = Object.keys(config.sources);
  request.sources.forEach((s, i) => {
    if (!config.sources[s.source]) {
      fail(['sources', i, 'source'], `unknown source '${s.source}' (configured: ${names.join(', ')})`);
    }
  });
  const total = request.sources.reduce((n, s) => n + s.count, 0);
  if (request.minReady !== undefined && request.minReady > total) {
    fail(['minReady'], `is ${request.minReady} but only ${total} clones are requested`);
  }
  if (request.staticIps && request.staticIps.addresses.length < total) {
    fail(
      ['staticIps', 'addresses'],
      `has ${request.staticIps.addresses.length} addresses for ${total} clones`,
    );
  }
  const maxLease = config.defaults.maxLeaseMinutes;
  if (request.leaseMinutes !== undefined && request.leaseMinutes > maxLease) {
    fail(['leaseMinutes'], `is above the configured maximum of ${maxLease}`);
  }
  return request;
}

/** Example inputs for the Step Functions console and the README. */
export const EXAMPLE_REQUESTS = {
  oneLinuxClone: {
    requesterId: 'github.com/acme/app/actions/runs/123',
    namePrefix: 'ci',
    sources: [{ source: 'linux', count: 1 }],
    leaseMinutes: 60,
  },
  windowsPair: {
    requesterId: 'jenkins/app-win/42',
    namePrefix: 'win-ci',
    sources: [{ source: 'windows', count: 2 }],
    leaseMinutes: 90,
    minReady: 1,
  },
  nightlyFleet: {
    requesterId: 'schedule/nightly',
    namePrefix: 'nightly',
    sources: [
      { source: 'linux', count: 10 },
      { source: 'windows', count: 5 },
    ],
    leaseMinutes: 0,
    maxConcurrency: 5,
    minReady: 12,
    smokeCommand: 'echo ok',
  },
  staticAddresses: {
    requesterId: 'gitlab/app/pipelines/77',
    namePrefix: 'lab',
    sources: [{ source: 'linux', count: 2 }],
    network: 'VM Network',
    staticIps: {
      addresses: ['10.20.0.50', '10.20.0.51'],
      prefixLength: 24,
      gateway: '10.20.0.1',
      dns: ['10.20.0.2'],
    },
  },
} satisfies Record<string, CloneRequest>;
