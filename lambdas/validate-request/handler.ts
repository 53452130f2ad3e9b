// ValidateRequest: checks the request against the schema and the configuration and expands it into the run
// parameters and one plan item per clone. Talks to nobody; a bad request, or one outside the requester's
// policy (request-policy.ts), fails here with InvalidRequest.
import { z } from 'zod';
import { type PlanItem, planRun, type Run } from '../workflow/plan.js';
import { parseRequest } from '../workflow/request.js';
import { checkRequestPolicy, startInputOf } from '../workflow/request-policy.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({ request: z.unknown(), executionName: z.string().min(1) });

export interface ValidateRequestOutput {
  run: Run;
  clones: PlanItem[];
}

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS },
  async (event, { config }): Promise<ValidateRequestOutput> => {
    const start = startInputOf(event.request);
    const request = parseRequest(start.request, config);
    checkRequestPolicy(request, start.principal, config);
    return planRun(request, config, event.executionName);
  },
);
