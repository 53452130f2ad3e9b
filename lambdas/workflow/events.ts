// The pipeline interface: the `detail` of every event on the bus, as zod schemas. docs/events/*.schema.json are
// generated from these (events-schema.ts) and test/events/ checks that what the state machine, the release
// handler, the reaper and the CDK rules really send and match agrees with them.
//
// Emitted details are strict objects: a field the ASL or a handler adds without documenting it here fails the
// tests. Inbound details are parsed as their consumer parses them (the request strictly, by ValidateRequest; the
// release loosely, by the release handler, which ignores what it does not read).
import { z } from 'zod';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../cdk/metric-names.js';
import type { ReapedVm, ReapReport } from '../reaper/reap.js';
import { EXAMPLE_REQUESTS, requestSchema } from './request.js';

export { DETAIL_TYPES, EVENT_SOURCE };
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

// ---- shared pieces ----------------------------------------------------------------------------------------

const shortError = z
  .strictObject({
    name: z.string().describe('Stable error name (README "Error names").'),
    message: z.string().describe('What happened and what to do (at most 600 characters).'),
  })
  .describe('An error as {name, message}.');
const phaseStats = z
  .strictObject({ n: z.number().int(), min: z.number(), max: z.number(), avg: z.number() })
  .nullable()
  .describe('Milliseconds over the clones that went through the phase; null when none did.');
const count = z.number().int().min(0);

/** Phases of the per-clone statistics (lambdas/workflow/summary.ts phaseStats). */
const readyPhases = z
  .strictObject({
    clone: phaseStats,
    reconnect: phaseStats,
    refresh: phaseStats,
    ip: phaseStats,
    smoke: phaseStats,
    total: phaseStats,
  })
  .describe('Per-phase statistics over the ready clones.');
const runPhases = readyPhases
  .extend({ teardown: phaseStats.optional().describe('Present when teardown ran for at least one clone.') })
  .describe('Per-phase statistics over the ready clones, plus teardown.');

// ---- Instant Clones Requested -----------------------------------------------------------------------------

/** Detail of `Instant Clones Requested`: the request itself (the rule starts an execution with it as input). */
export const requestedDetail = requestSchema;

// ---- Instant Clones Ready ---------------------------------------------------------------------------------

// A run fans out over child executions (docs/adr/0002-fleet-fan-out.md); the parent, and so this event, keeps
// one compact record per clone so that a fleet of 1,000 fits the 256 KiB quotas. Full records (moref, MAC,
// timings) stay in the child executions' histories.

export const readyClone = z
  .strictObject({
    name: z.string().describe('VM name: <namePrefix>-<runId>-<nn>.'),
    status: z.literal('ready'),
    ip: z.ipv4().describe('The clone’s IPv4 address.'),
    host: z.string().describe('ESXi host the clone runs on (the source’s host).'),
    error: z.null(),
  })
  .describe('A clone ready for use.');

export const failedClone = z
  .strictObject({
    name: z.string(),
    status: z.literal('failed'),
    ip: z.null(),
    host: z.string().nullable().describe('Null when the clone was never created.'),
    error: shortError.describe(
      'The error name and its message, cut to fit large fleets (600 characters up to 50 clones, at least 24).',
    ),
  })
  .describe('A clone that failed (only with minReady below the clone count); it has been torn down.');

export const readyDetail = z
  .strictObject({
    taskToken: z
      .string()
      .min(1)
      .max(1024)
      .describe('Send it back in an `Instant Clones Release` event to end the lease.'),
    executionArn: z.string().regex(/^arn:aws[\w-]*:states:/, 'must be a Step Functions execution ARN'),
    executionName: z.string(),
    runId: z.string().describe('Short id in every clone name and in the guestinfo.ic.run marker.'),
    requesterId: z.string().describe('The request’s requesterId.'),
    leaseSeconds: z
      .number()
      .positive()
      .describe('The clones are torn down this long after Ready unless released earlier.'),
    summary: z
      .strictObject({
        total: count,
        ready: count,
        failed: count,
        minReady: count,
        phases: readyPhases,
      })
      .describe('Counts and per-phase statistics.'),
    clones: z.array(z.discriminatedUnion('status', [readyClone, failedClone])),
  })
  .describe(
    `Sent by the state machine's Ready state (source ${EVENT_SOURCE}) when at least minReady clones are ready and the request has a lease; the execution then waits for an Instant Clones Release carrying taskToken, or for leaseSeconds.`,
  );

// ---- Instant Clones Release -------------------------------------------------------------------------------

/** Read by lambdas/release/handler.ts; other fields are ignored. */
export const releaseDetail = z
  .looseObject({
    taskToken: z.string().min(1).max(1024).describe('The taskToken of the Instant Clones Ready event.'),
    releasedBy: z.string().optional().describe('Who released (pipeline run, user); kept in the execution.'),
    reason: z.string().optional().describe('Why; kept in the execution.'),
  })
  .describe(
    'Sent by the pipeline when it is done with the clones: the release handler resumes the waiting execution, which tears the clones down. Releasing twice or after the lease ended is harmless.',
  );

// ---- Instant Clones Released / Instant Clone Run Failed ---------------------------------------------------

const TEARDOWN_OUTCOMES = ['destroyed', 'alreadyGone', 'notFound', 'skipped', 'notOurs', 'failed'] as const;

export const runSummary = z
  .strictObject({
    runId: z.string().nullable().describe('Null when the request was invalid.'),
    requesterId: z.string().nullable(),
    total: count,
    ready: count,
    failed: count,
    lease: z
      .enum(['released', 'expired', 'none'])
      .describe('released: by an Instant Clones Release; expired: leaseSeconds ran out; none: no wait.'),
    error: shortError.nullable(),
    clones: z.array(
      z.strictObject({
        name: z.string(),
        status: z
          .enum(['ready', 'failed', 'unknown'])
          .describe('unknown: the clone Map itself failed before the clone reported.'),
        ip: z.string().nullable(),
        host: z.string().nullable(),
        error: shortError.nullable(),
        teardown: z
          .enum(TEARDOWN_OUTCOMES)
          .nullable()
          .describe('What teardown found; skipped = already removed when it failed; null = not reached.'),
      }),
    ),
    phases: runPhases,
  })
  .describe('The run as FinishRun summed it up (also the execution output).');

export const releasedDetail = z
  .strictObject({
    runId: z.string(),
    executionName: z.string(),
    summary: runSummary.extend({ runId: z.string(), requesterId: z.string(), error: z.null() }),
  })
  .describe(
    `Sent by the state machine's PublishReleased state (source ${EVENT_SOURCE}) when the run succeeded and every clone is torn down.`,
  );

export const runFailedDetail = z
  .strictObject({
    runId: z.string().nullable().describe('Null when the request was invalid.'),
    executionName: z.string(),
    error: z
      .strictObject({
        Error: z.string().describe('The error name the execution fails with (README "Error names").'),
        Cause: z.string().describe('The Step Functions cause: usually the Lambda error as a JSON string.'),
      })
      .describe('As the execution fails with it; summary.error has it short.'),
    summary: runSummary.extend({ error: shortError }),
  })
  .describe(
    `Sent by the state machine's PublishRunFailed state (source ${EVENT_SOURCE}) when the run failed; clones that were made have been torn down (or are named in a TeardownFailed error).`,
  );

// ---- Instant Clones Reaped --------------------------------------------------------------------------------

const reapedVm = z.strictObject({
  name: z.string(),
  moref: z.string().describe('The VM’s managed object id (vm-123).'),
  runId: z.string(),
  leaseExpires: z.string(),
  outcome: z.enum(['destroyed', 'alreadyGone', 'failed']),
  error: z.string().optional(),
});

export const reapedDetail = z
  .strictObject({
    scanned: count.describe('VMs looked at.'),
    marked: count.describe('VMs carrying a run marker.'),
    expired: count.describe('Marked VMs whose lease (plus the provisioning allowance) has expired.'),
    reaped: z.array(reapedVm).describe('Removed (destroyed, or already gone).'),
    failed: z.array(reapedVm).describe('Could not be removed; retried on the next run.'),
    deferred: count.describe('Expired VMs left for the next run (maxPerRun or time budget).'),
    unparseable: z
      .array(z.strictObject({ name: z.string(), moref: z.string(), leaseExpires: z.string() }))
      .describe('Marked VMs whose lease expiry could not be read; left alone.'),
  })
  .describe(
    `Sent by the scheduled reaper (source ${EVENT_SOURCE}) after a run that removed, or failed to remove, a clone whose lease had expired. An execution should have torn it down: investigate.`,
  );

// The reaper builds its report from its own types; these fail to compile when the two part ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reapedTypesAgree: Same<z.infer<typeof reapedDetail>, ReapReport> &
  Same<z.infer<typeof reapedVm>, ReapedVm> = true;
void reapedTypesAgree;

// ---- examples (checked against the schemas by test/events) ------------------------------------------------

/** The one-clone run's phase statistics, as Ready and Released both report them. */
const examplePhases = {
  clone: { n: 1, min: 4310, max: 4310, avg: 4310 },
  reconnect: { n: 1, min: 820, max: 820, avg: 820 },
  refresh: { n: 1, min: 6120, max: 6120, avg: 6120 },
  ip: { n: 1, min: 240, max: 240, avg: 240 },
  smoke: null,
  total: { n: 1, min: 11490, max: 11490, avg: 11490 },
};

export const EXAMPLE_DETAILS = {
  requested: [EXAMPLE_REQUESTS.oneLinuxClone, EXAMPLE_REQUESTS.windowsPair],
  ready: [
    {
      taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAAb…',
      executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:InstantClone:ci-123',
      executionName: 'ci-123',
      runId: '6e58abfc',
      requesterId: 'github.com/acme/app/actions/runs/123',
      leaseSeconds: 3600,
      summary: {
        total: 1,
        ready: 1,
        failed: 0,
        minReady: 1,
        phases: examplePhases,
      },
      clones: [
        {
          name: 'ci-6e58abfc-01',
          status: 'ready',
          ip: '10.20.0.57',
          host: 'esxi-01.lab.example.com',
          error: null,
        },
      ],
    },
  ],
  release: [
    { taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAAb…' },
    {
      taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAAb…',
      releasedBy: 'github.com/acme/app/actions/runs/123',
      reason: 'tests done',
    },
  ],
  released: [
    {
      runId: '6e58abfc',
      executionName: 'ci-123',
      summary: {
        runId: '6e58abfc',
        requesterId: 'github.com/acme/app/actions/runs/123',
        total: 1,
        ready: 1,
        failed: 0,
        lease: 'released',
        error: null,
        clones: [
          {
            name: 'ci-6e58abfc-01',
            status: 'ready',
            ip: '10.20.0.57',
            host: 'esxi-01.lab.example.com',
            error: null,
            teardown: 'destroyed',
          },
        ],
        phases: { ...examplePhases, teardown: { n: 1, min: 2150, max: 2150, avg: 2150 } },
      },
    },
  ],
  runFailed: [
    {
      runId: '9c1ff498',
      executionName: 'ci-124',
      error: {
        Error: 'IpTimeout',
        Cause:
          '{"errorType":"IpTimeout","errorMessage":"0 of 1 clones ready, minReady is 1 (ci-9c1ff498-01: IpTimeout): …"}',
      },
      summary: {
        runId: '9c1ff498',
        requesterId: 'github.com/acme/app/actions/runs/124',
        total: 1,
        ready: 0,
        failed: 1,
        lease: 'none',
        error: {
          name: 'IpTimeout',
          message: '0 of 1 clones ready, minReady is 1 (ci-9c1ff498-01: IpTimeout): …',
        },
        clones: [
          {
            name: 'ci-9c1ff498-01',
            status: 'failed',
            ip: null,
            host: 'esxi-01.lab.example.com',
            error: { name: 'IpTimeout', message: 'no usable IPv4 on ci-9c1ff498-01 within 300 s …' },
            teardown: 'skipped',
          },
        ],
        phases: { clone: null, reconnect: null, refresh: null, ip: null, smoke: null, total: null },
      },
    },
  ],
  reaped: [
    {
      scanned: 212,
      marked: 3,
      expired: 1,
      reaped: [
        {
          name: 'ci-6e58abfc-01',
          moref: 'vm-1042',
          runId: '6e58abfc',
          leaseExpires: '2026-11-23T14:21:30.000Z',
          outcome: 'destroyed',
        },
      ],
      failed: [],
      deferred: 0,
      unparseable: [],
    },
  ],
} satisfies {
  requested: z.input<typeof requestedDetail>[];
  ready: z.input<typeof readyDetail>[];
  release: z.input<typeof releaseDetail>[];
  released: z.input<typeof releasedDetail>[];
  runFailed: z.input<typeof runFailedDetail>[];
  reaped: z.input<typeof reapedDetail>[];
};

// ---- the registry -----------------------------------------------------------------------------------------

export type EventKey = keyof typeof DETAIL_TYPES;

export interface EventSpec {
  detailType: DetailType;
  /** Who puts it on the bus. */
  sentBy: string;
  /** in: the pipeline sends it and a rule of ours matches it; out: we send it (source EVENT_SOURCE). */
  direction: 'in' | 'out';
  schema: z.ZodType;
  examples: readonly unknown[];
}

export const EVENTS: Record<EventKey, EventSpec> = {
  requested: {
    detailType: DETAIL_TYPES.requested,
    sentBy: 'the pipeline',
    direction: 'in',
    schema: requestedDetail,
    examples: EXAMPLE_DETAILS.requested,
  },
  ready: {
    detailType: DETAIL_TYPES.ready,
    sentBy: 'the state machine (Ready state)',
    direction: 'out',
    schema: readyDetail,
    examples: EXAMPLE_DETAILS.ready,
  },
  release: {
    detailType: DETAIL_TYPES.release,
    sentBy: 'the pipeline',
    direction: 'in',
    schema: releaseDetail,
    examples: EXAMPLE_DETAILS.release,
  },
  released: {
    detailType: DETAIL_TYPES.released,
    sentBy: 'the state machine (PublishReleased state)',
    direction: 'out',
    schema: releasedDetail,
    examples: EXAMPLE_DETAILS.released,
  },
  runFailed: {
    detailType: DETAIL_TYPES.runFailed,
    sentBy: 'the state machine (PublishRunFailed state)',
    direction: 'out',
    schema: runFailedDetail,
    examples: EXAMPLE_DETAILS.runFailed,
  },
  reaped: {
    detailType: DETAIL_TYPES.reaped,
    sentBy: 'the reaper Lambda (scheduled)',
    direction: 'out',
    schema: reapedDetail,
    examples: EXAMPLE_DETAILS.reaped,
  },
};

/** The event spec of a detail-type, or undefined for one we do not document. */
export function eventByDetailType(detailType: string): EventSpec | undefined {
  return Object.values(EVENTS).find((e) => e.detailType === detailType);
}

/** `Instant Clones Ready` → `instant-clones-ready.schema.json` (under docs/events/). */
export function schemaFileName(detailType: string): string {
  return `${detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.schema.json`;
}
