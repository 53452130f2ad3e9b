// CheckFleet: after the clone Map, counts ready and failed clones, computes phase statistics and fails with
// MinReadyNotMet (→ teardown of everything) when fewer than minReady clones are ready. When no clone is ready and
// all failed for one reason, the run fails with that reason's name instead: a console user whose single clone
// hit InvalidGuestLogin should read GuestLoginFailed, not a count.
import * as z from 'zod';
import { mergePhases } from '../workflow/compact-records.js';
import { ERROR_CLASSES, MinReadyNotMetError, type WorkflowErrorName } from '../workflow/errors.js';
import { runState } from '../workflow/states.js';
import { normalizeRecord, phaseStats } from '../workflow/summary.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  run: runState,
  fleet: z.array(z.looseObject({ name: z.string(), status: z.string() })),
  /** per-slice phase statistics from the fan-out's children (their records carry no timings) */
  phases: z.array(z.record(z.string(), z.unknown()).nullable()).optional(),
});

export const handler = taskHandler({ input, needs: HANDLER_NEEDS }, async ({ run, fleet, phases }) => {
  const records = fleet.map(normalizeRecord);
  const failed = records.filter((r) => r.status !== 'ready');
  const ready = records.length - failed.length;
  if (ready < run.minReady) {
    const reasons = failed
      .slice(0, 5)
      .map((r) => `${r.name}: ${(r.error as { name?: string } | null)?.name ?? 'failed'}`)
      .join('; ');
    const detail = `${ready} of ${records.length} clones ready, minReady is ${run.minReady} (${reasons})`;
    const names = new Set(failed.map((r) => (r.error as { name?: string } | null)?.name));
    const [only] = names;
    if (ready === 0 && names.size === 1 && only && only in ERROR_CLASSES) {
      const first = failed[0]?.error as { message?: string } | null;
      throw new ERROR_CLASSES[only as WorkflowErrorName](`${detail}: ${first?.message ?? only}`);
    }
    throw new MinReadyNotMetError(detail);
  }
  const summary = {
    total: records.length,
    ready,
    failed: failed.length,
    minReady: run.minReady,
    phases: phases ? mergePhases(phases as Parameters<typeof mergePhases>[0]) : phaseStats(records),
  };
  return { run, fleet: records, summary };
});
