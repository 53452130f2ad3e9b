// SummarizeTeardownSlice: the last state of a teardown child execution. Returns only the clones whose
// teardown needs attention (failed, notOurs) and the slice's teardown time statistics.
import * as z from 'zod';
import { CLEAN_TEARDOWN } from '../workflow/compact-records.js';
import { shortError, stats } from '../workflow/summary.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  teardown: z.array(
    z.looseObject({
      name: z.string(),
      outcome: z.string(),
      timing: z.looseObject({ ms: z.number() }).nullish(),
      error: z.unknown().optional(),
    }),
  ),
});

export const handler = taskHandler({ input, needs: HANDLER_NEEDS }, async ({ teardown }) => {
  const records = teardown
    .filter((t) => !CLEAN_TEARDOWN.has(t.outcome))
    .map((t) => ({ name: t.name, outcome: t.outcome, ...(t.error ? { error: shortError(t.error) } : {}) }));
  const ms = teardown.map((t) => t.timing?.ms).filter((v): v is number => typeof v === 'number');
  return { records, phase: stats(ms) };
});
