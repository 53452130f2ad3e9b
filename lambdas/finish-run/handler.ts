// FinishRun: every path ends here (after TeardownFleet when clones may exist). Decides the outcome — the
// original error wins; a clean run with a failed teardown fails with TeardownFailed — builds the summary for
// the Released / Run Failed event and the execution output, and emits the failure metrics.
import * as z from 'zod';
import { mergePhases, mergeStats } from '../workflow/compact-records.js';
import { recordCloneFailure } from '../workflow/powertools.js';
import { normalizeRecord, type PhaseStats, phaseStats, shortError } from '../workflow/summary.js';
import { tableAccess } from '../workflow/table-access.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

type Phases = Parameters<typeof mergePhases>[0];

type Rec = Record<string, unknown>;
const errorOutput = z.looseObject({ Error: z.string().optional(), Cause: z.unknown().optional() });
const input = z.looseObject({
  run: z.looseObject({ runId: z.string(), requesterId: z.string(), minReady: z.number() }).optional(),
  /** CheckFleet's records, or the fan-out's result when CheckFleet did not finish */
  fleet: z
    .union([
      z.array(z.looseObject({ name: z.string() })),
      z.looseObject({ records: z.array(z.looseObject({ name: z.string() })), phases: z.unknown() }),
    ])
    .optional(),
  summary: z.looseObject({ phases: z.record(z.string(), z.unknown()) }).optional(),
  /** the teardown fan-out, per slice: clones whose teardown needs attention, teardown statistics */
  teardown: z
    .array(
      z.looseObject({
        records: z.array(z.looseObject({ name: z.string(), outcome: z.string() })),
        phase: z.unknown(),
      }),
    )
    .optional(),
  error: errorOutput.optional(),
  teardownError: errorOutput.optional(),
  leaseExpired: errorOutput.optional(),
  release: z.unknown().optional(),
});

export const handler = taskHandler({ input, needs: HANDLER_NEEDS }, async (state) => {
  const fan = state.fleet && !Array.isArray(state.fleet) ? state.fleet : undefined;
  const records = (fan ? fan.records : state.fleet) as Rec[] | undefined;
  const fleet = (records ?? []).map(normalizeRecord);
  const teardown = (state.teardown ?? []).flatMap((slice) => slice.records) as Rec[];
  const teardownFailures = teardown.filter((t) => t.outcome === 'failed' || t.outcome === 'notOurs');
  let error: { Error: string; Cause: string } | null = null;
  // The Cause becomes the execution's failure cause and goes on the bus: the error's message, not the Lambda's
  // raw error JSON with its stack trace.
  if (state.error) error = { Error: state.error.Error ?? 'Error', Cause: shortError(state.error).message };
  else if (state.teardownError || teardownFailures.length) {
    const names = teardownFailures.map((t) => t.name).join(', ') || 'unknown clones';
    error = {
      Error: 'TeardownFailed',
      Cause: `Could not tear down ${names}; the reaper removes them after their lease (instantclone.leaseExpires).`,
    };
  }
  for (const r of fleet) if (r.error) recordCloneFailure((r.error as { name: string }).name);
  const byName = new Map(teardown.map((t) => [t.name, t.outcome]));
  const summary = {
    runId: state.run?.runId ?? null,
    requesterId: state.run?.requesterId ?? null,
    total: fleet.length,
    ready: fleet.filter((r) => r.status === 'ready').length,
    failed: fleet.filter((r) => r.status === 'failed').length,
    lease: state.leaseExpired ? 'expired' : state.release !== undefined ? 'released' : 'none',
    error: error ? shortError(error) : null,
    clones: fleet.map((r) => ({
      name: r.name,
      status: r.status ?? 'unknown',
      ip: r.ip ?? null,
      host: r.host ?? null,
      error: r.error ?? null,
      // Only teardowns that need attention are reported by name; the others removed or found nothing.
      teardown:
        byName.get(r.name as string) ??
        (state.teardown ? (r.status === 'ready' ? 'destroyed' : 'skipped') : null),
    })),
    phases: {
      ...(state.summary?.phases ?? (fan ? mergePhases(fan.phases as Phases) : phaseStats(fleet))),
      ...(state.teardown
        ? { teardown: mergeStats(state.teardown.map((slice) => slice.phase as PhaseStats | null)) }
        : {}),
    },
  };
  // Every path ends here after teardown: the requester's quota gets this run's clones back.
  const holdings = state.run ? (await tableAccess())?.holdings() : undefined;
  if (holdings && state.run) await holdings.release(state.run.requesterId, state.run.runId);
  return { outcome: error ? 'failed' : 'released', runId: summary.runId, error, summary };
});
