// PlanSlice: the first state of every child execution of the fan-out. Plans the whole run again from the
// execution's input (a request, or StartRun's {request, principal}; planning is pure: the same request and execution name give the same names and
// addresses) and keeps this slice's clones, each with its source VM's facts when VerifySourceFrozen's are given.
import * as z from 'zod';
import { sliceRange } from '../workflow/fan-out.js';
import { planRun } from '../workflow/plan.js';
import { parseRequest } from '../workflow/request.js';
import { startInputOf } from '../workflow/request-policy.js';
import { runState, sourceFactsState } from '../workflow/states.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  run: runState.extend({ executionName: z.string(), sliceSize: z.number().int().min(1) }),
  slice: z.number().int().min(0),
  request: z.unknown(),
  sources: z.array(z.looseObject({ sourcePath: z.string(), sourceVm: sourceFactsState })).optional(),
});

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS },
  async ({ run, slice, request, sources }, { config }) => {
    const { clones } = planRun(
      parseRequest(startInputOf(request).request, config),
      config,
      run.executionName,
    );
    const { first, end } = sliceRange(slice, run.sliceSize, run.total);
    const facts = new Map((sources ?? []).map((s) => [s.sourcePath, s.sourceVm]));
    const mine = clones.slice(first, end).map((c) => {
      if (!sources) return c;
      const sourceVm = facts.get(c.sourcePath);
      if (!sourceVm) throw new TypeError(`no verified facts for source ${c.sourcePath}`);
      return { ...c, sourceVm };
    });
    return { run, clones: mine };
  },
);
