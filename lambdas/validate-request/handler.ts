// ValidateRequest: checks the request against the schema and the configuration and expands it into the run
// parameters and one plan item per clone. Talks to nobody; a bad request, or one outside the requester's
// policy (request-policy.ts), fails here with InvalidRequest.
import * as z from 'zod';
import { InvalidRequestError } from '../workflow/errors.js';
import { clonesThatFit, estimateLargestState, STATE_PAYLOAD_LIMIT } from '../workflow/payload-budget.js';
import { type PlanItem, planRun, type Run } from '../workflow/plan.js';
import { parseRequest } from '../workflow/request.js';
import { checkRequestPolicy, startInputOf } from '../workflow/request-policy.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({ request: z.unknown(), executionName: z.string().min(1) });

export interface ValidateRequestOutput {
  run: Run;
  clones: PlanItem[];
}

export const handler = taskHandler(
  { input, needs: HANDLER_NEEDS },
  async (event, { config }): Promise<ValidateRequestOutput> => {
    const start = startInputOf(event.request);
    const request = parseRequest(start.request, config);
    checkRequestPolicy(request, start.principal, config);
    const plan = planRun(request, config, event.executionName);
    const estimate = estimateLargestState(plan.run, plan.clones);
    if (estimate > STATE_PAYLOAD_LIMIT) {
      throw new InvalidRequestError(
        `sources: ${plan.clones.length} clones with these names and paths need about ${Math.ceil(estimate / 1024)} KiB ` +
          `of workflow state, above Step Functions' 256 KiB limit per state; ask for at most ` +
          `${clonesThatFit(plan.run, plan.clones)} clones, a shorter namePrefix or a shorter smokeCommand`,
      );
    }
    return plan;
  },
);
