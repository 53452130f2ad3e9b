// ValidateRequest: checks the request against the schema, the configuration, the requester's policy
// (request-policy.ts) and the Step Functions quotas (budgets.ts) and expands it into the run parameters. Talks
// to nobody; a bad request, or one outside the requester's policy, fails here with InvalidRequest. The plan goes
// to VerifySourceFrozen as one item per source VM: each child execution of the fan-out plans its own slice
// again (PlanSlice), so no execution holds the whole fleet's plan.
import * as z from 'zod';
import { checkBudget, estimateBudget } from '../workflow/budgets.js';
import { type PlanItem, planRun, type Run } from '../workflow/plan.js';
import { maxClonesHeldFor } from '../workflow/quota.js';
import { parseRequest } from '../workflow/request.js';
import { checkRequestPolicy, startInputOf } from '../workflow/request-policy.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({ request: z.unknown(), executionName: z.string().min(1) });

export interface ValidateRequestOutput {
  run: Run;
  /** one plan item per distinct source VM, with how many clones of the plan it has (placement may move them) */
  clones: (PlanItem & { count: number })[];
}

export const handler = taskHandler(
  { input, needs: HANDLER_NEEDS },
  async (event, { config }): Promise<ValidateRequestOutput> => {
    const start = startInputOf(event.request);
    const request = parseRequest(start.request, config);
    checkRequestPolicy(request, start.principal, config);
    const plan = planRun(request, config, event.executionName);
    const run = {
      ...plan.run,
      maxClonesHeld: maxClonesHeldFor(request.requesterId, start.principal, config) ?? null,
    };
    const { clones } = plan;
    const nameLength = Math.max(...clones.map((c) => c.name.length));
    const requestBytes = Buffer.byteLength(JSON.stringify(event.request), 'utf8');
    checkBudget(estimateBudget(run.total, run.sliceSize, nameLength, requestBytes), run.total, run.sliceSize);
    const bySource = new Map<string, PlanItem & { count: number }>();
    for (const clone of clones) {
      const seen = bySource.get(clone.sourcePath);
      if (seen) seen.count += 1;
      else bySource.set(clone.sourcePath, { ...clone, count: 1 });
    }
    return { run, clones: [...bySource.values()] };
  },
);
