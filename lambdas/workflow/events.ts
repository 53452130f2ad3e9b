// The pipeline interface: the `detail` of every event on the bus, as zod schemas. docs/events/*.schema.json are
// generated from these (events-schema.ts) and test/events/ checks that what the state machine, the release
// handler, the reaper and the CDK rules really send and match agrees with them.
//
// Emitted details are strict objects: a field the ASL or a handler adds without documenting it here fails the
// tests. Inbound details are parsed as their consumer parses them (the request strictly, by ValidateRequest; the
// release loosely, by the release handler, which ignores what it does not read).
import * as z from 'zod';
import type { ReapedVm, ReapReport } from '../reaper/reap.js';
import { DETAIL_TYPES, EVENT_SOURCE } from './aws-names.js';
import { requestSchema } from './request.js';

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

// A run fans out over child executions (docs/adr/0005-fleet-fan-out.md); the parent, and so this event, keeps
// one compact record per clone so that a fleet of 1,000 fits the 256 KiB quotas. Full records (moref, MAC,
// timings) stay in the child executions' histories.

export const readyClone = z
  .strictObject({
    name: z.string().describe('VM name: <namePrefix>-<runId>-<nn>.'),
    source: z.string().describe('The configured source name the clone was made from.'),
    os: z.enum(['linux', 'windows']).describe('The source’s guest OS family.'),
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
    executionArn: z.string().regex(/^arn:aws[\w-]*:states:/, 'must be a Step Functions execution ARN'),
    executionName: z.string(),
    runId: z.string().describe('Short id in every clone name and in the instantclone.run marker.'),
    requesterId: z.string().describe('The request’s requesterId.'),
    leaseSeconds: z
      .number()
      .positive()
      .describe('The clones are torn down this long after Ready unless released or extended.'),
    leaseExpiresAt: z.iso
      .datetime()
      .describe(
        'When the lease ends (ISO-8601 UTC); `instant-clone extend` moves it, up to maxLeaseMinutes.',
      ),
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
    `Sent by the state machine's Ready state (source ${EVENT_SOURCE}, through the AnnounceReady function) when at least minReady clones are ready and the request has a lease; once per run, extensions do not repeat it. The execution then waits for a release (an Instant Clones Release with this runId, or \`instant-clone release\`), an extension, or the lease's end. It carries no task token.`,
  );

// ---- Instant Clones Release -------------------------------------------------------------------------------

/** Read by lambdas/release/handler.ts; other fields are ignored. */
export const releaseDetail = z
  .looseObject({
    runId: z
      .string()
      .regex(/^[0-9a-f]{8}([0-9a-f]{4})?$/, 'must be a run id (8 or 12 hex digits)')
      .optional()
      .describe('The runId of the Instant Clones Ready event (or of acquire’s output).'),
    executionArn: z
      .string()
      .regex(/^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:[\w-]+:[\w-]+$/, 'must be an execution ARN')
      .optional()
      .describe('Instead of runId: the execution ARN.'),
    releasedBy: z.string().optional().describe('Who released (pipeline run, user); kept in the execution.'),
    reason: z.string().optional().describe('Why; kept in the execution.'),
  })
  .describe(
    'Sent by the pipeline when it is done with the clones (runId or executionArn): the release function finds the run’s Ready wait in the execution history and resumes it, and the execution tears the clones down. Releasing twice, before Ready, or after the lease ended is harmless (logged, nothing happens).',
  )
  .refine((d) => d.runId !== undefined || d.executionArn !== undefined, {
    message: 'set runId or executionArn',
    path: ['runId'],
  });

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
