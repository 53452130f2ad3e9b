// ValidateRequest: checks the request against the schema, the configuration and the Step Functions quotas
// (budgets.ts) and expands it into the run parameters. Talks to nobody; a bad request fails here with
// InvalidRequest. The plan goes to VerifySourceFrozen as one item per source VM: each child execution of the
// fan-out plans its own slice again (PlanSlice), so no execution holds the whole fleet's plan.
import { z } from 'zod';
import { checkBudget, estimateBudget } from '../workflow/budgets.js';
import { type PlanItem, planRun, type Run } from '../workflow/plan.js';
import { parseRequest } from '../workflow/request.js';
import { workflowHandler } from '../workflow/workflow-handler.js';

const input = z.object({ request: z.unknown(), executionName: z.string().min(1) });

export interface ValidateRequestOutput {
  run: Run;
  /** one plan item per distinct source VM */
  clones: PlanItem[];
}

export const handler = workflowHandler(
  { input },
  async (event, { config }): Promise<ValidateRequestOutput> => {
    const request = parseRequest(event.request, config);
    const { run, clones } = planRun(request, config, event.executionName);
    const nameLength = Math.max(...clones.map((c) => c.name.length));
    const requestBytes = Buffer.byteLength(JSON.stringify(event.request), 'utf8');
    checkBudget(estimateBudget(run.total, run.sliceSize, nameLength, requestBytes), run.total, run.sliceSize);
    const bySource = new Map<string, PlanItem>();
    for (const clone of clones) if (!bySource.has(clone.sourcePath)) bySource.set(clone.sourcePath, clone);
    return { run, clones: [...bySource.values()] };
  },
);
