// SummarizeSlice: the last state of a clone child execution. Logs every failed clone's whole error (the
// parent only keeps a short one) and returns the slice's compact records and phase statistics.
import * as z from 'zod';
import { messageChars } from '../workflow/budgets.js';
import { compactRecord } from '../workflow/compact-records.js';
import { logger } from '../workflow/powertools.js';
import { normalizeRecord, phaseStats } from '../workflow/summary.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  fleet: z.array(z.looseObject({ name: z.string(), status: z.string() })),
  total: z.number().int().min(1),
  execution: z.string().optional(),
});

export const handler = taskHandler({ input, needs: HANDLER_NEEDS }, async ({ fleet, total, execution }) => {
  const records = fleet.map(normalizeRecord);
  for (const r of records) {
    if (r.error) logger.warn('clone failed', { clone: r.name, execution, error: r.error });
  }
  return {
    records: records.map((r) => compactRecord(r, messageChars(total))),
    phases: phaseStats(records),
  };
});
