// The execution input (also the `detail` of an `Instant Clones Requested` event). Documented as JSON Schema
// in docs/request.schema.json (generated from this file by request-schema.ts).
import * as z from 'zod';
import { cloneFolderPaths, normalizePath } from './clone-folders.js';
import type { WorkflowConfig } from './config.js';
import { InvalidRequestError } from './errors.js';
import { checkStaticIps } from './static-ips.js';

// Every string that reaches vCenter or a guest: bounded, and no control, format or unassigned characters.
const PRINTABLE = /^[^\p{C}]*$/u;
const printable = (max: number) =>
  z.string().min(1).max(max).regex(PRINTABLE, 'must be printable characters only (no control characters)');
const inventoryPath = printable(512)
  .regex(/^\/.+/, 'must be an inventory path starting with /')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain . or .. segments');

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
          source: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a configured source name (letters, digits, _ and -)')
            .describe('A source name from the deployment configuration.'),
          count: z.number().int().min(1).max(5000),
        }),
      )
      .min(1)
      .max(20)
      .describe('What to clone: configured source names with a clone count each.'),
    folder: inventoryPath.optional().describe("VM folder for the clones (default: the source's folder)."),
    pool: inventoryPath.optional().describe("Resource pool for the clones (default: the source's)."),
    network: printable(256)
      .optional()
      .describe("Port group for the clones' first NIC (default: the source's)."),
    leaseMinutes: z
      .number()
      .min(0)
      .max(10_080)
      .optional()
      .describe('How long the clones are held after Ready before teardown; 0 = tear down right away.'),
    minReady: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .optional()
      .describe('Fewest ready clones for the run to succeed (default: all).'),
    staticIps: staticIpsSchema.optional(),
    smokeCommand: printable(4096)
      .optional()
      .describe('Run in each ready clone (sh -c / cmd.exe /c); a non-zero exit fails that clone.'),
    maxConcurrency: z.number().int().min(1).max(100).optional().describe('Clones provisioned at once.'),
    ipTimeoutSeconds: z.number().int().min(1).max(840).optional().describe('How long to wait for each IP.'),
  })
  .describe('Instant Clones Requested');

export type CloneRequest = z.infer<typeof requestSchema>;

/** Longest user-supplied text (a key, a source name) echoed in a message; keeps the error state small. */
const MAX_ECHO = 64;
/** Longest InvalidRequest detail: the message travels in the state, the execution's cause and the event. */
const MAX_DETAIL = 400;

function cut(value: string): string {
  return value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
}

/** A user-supplied value as it may appear in a message: quoted, cut to MAX_ECHO characters. */
function echo(value: string): string {
  return JSON.stringify(cut(value));
}

function fail(path: PropertyKey[], message: string): never {
  const field = path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${cut(String(key))}` : cut(String(key)),
    '',
  );
  const detail = `${field || 'request'}: ${message}`;
  throw new InvalidRequestError(detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail);
}

/** The first zod issue as a bounded message: unknown keys are counted and the first one named, not listed. */
function firstIssue(error: z.ZodError, input: unknown): never {
  const issue = error.issues[0];
  if (!issue) fail([], 'invalid');
  if (issue.code === 'unrecognized_keys') {
    const more = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more unknown fields)` : '';
    fail([...issue.path, issue.keys[0] ?? ''], `is not a known field${more}`);
  }
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    const got = typeof input === 'string' ? ' (a string: was the JSON encoded twice?)' : '';
    fail([], `the execution input must be a JSON object${got}`);
  }
  fail(issue.path, issue.message);
}

/** Parses and checks the request against the configuration; throws InvalidRequest naming the first bad field. */
export function parseRequest(input: unknown, config: WorkflowConfig): CloneRequest {
  const result = requestSchema.safeParse(input);
  if (!result.success) firstIssue(result.error, input);
  const request = result.data;
  const names = Object.keys(config.sources);
  request.sources.forEach((s, i) => {
    // Own keys only: '__proto__' or 'constructor' must be an unknown source, not Object.prototype's.
    if (!Object.hasOwn(config.sources, s.source)) {
      fail(
        ['sources', i, 'source'],
        `unknown source ${echo(s.source)} (configured: ${names.slice(0, 20).map(echo).join(', ')})`,
      );
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
  const folders = cloneFolderPaths(config);
  if (request.folder !== undefined && !folders.includes(normalizePath(request.folder))) {
    fail(
      ['folder'],
      `${echo(request.folder)} is not a clone folder of this deployment (${folders.slice(0, 10).map(echo).join(', ')}); the Reaper looks only there`,
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
