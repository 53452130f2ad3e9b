// ValidateRequest: checks the request against the schema and the configuration and expands it into the run
// parameters and one plan item per clone. Talks to nobody; a bad request fails here with InvalidRequest.
import { z } from 'zod';
import { type PlanItem, planRun, type Run } from '../workflow/plan.js';
import { parseRequest } from '../workflow/request.js';
import { workflowHandler } from '../workflow/workflow-handler.js';

const input = z.object({ request: z.unknown(), executionName: z.string().min(1) });

export interface ValidateRequestOutput {
  run: Run;
  clones: PlanItem[];
}

export const handler = workflowHandler(
  { input },
  async (event, { config }): Promise<ValidateRequestOutput> => {
    const request = parseRequest(event.request, config);
    return planRun(request, config, event.executionName);
  },
);
