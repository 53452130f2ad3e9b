// PlanSlice: the first state of every child execution of the fan-out. Plans the whole run again from the
// execution's input (a request, or StartRun's {request, principal}; planning is pure: the same request and execution name give the same names and
// addresses), puts each clone on the source VM VerifySourceFrozen's placement gives it, and keeps this slice's
// clones, each with its source VM's facts (the clone fleet) or its moref (the teardown fleet, from run.placement).
import * as z from 'zod';
import { sliceRange } from '../workflow/fan-out.js';
import { pathsFromCounts } from '../workflow/placement.js';
import { planRun } from '../workflow/plan.js';
import { parseRequest } from '../workflow/request.js';
import { startInputOf } from '../workflow/request-policy.js';
import { runState, sourceFactsState } from '../workflow/states.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  run: runState.extend({ executionName: z.string(), sliceSize: z.number().int().min(1) }),
  slice: z.number().int().min(0),
  request: z.unknown(),
  /** VerifySourceFrozen's placement: one item per source VM with its facts and how many clones it takes */
  sources: z
    .array(
      z.looseObject({
        source: z.string(),
        sourcePath: z.string(),
        sourceVm: sourceFactsState,
        count: z.number().int().min(0).optional(),
      }),
    )
    .optional(),
});

export const handler = taskHandler(
  { input, needs: HANDLER_NEEDS },
  async ({ run, slice, request, sources }, { config }) => {
    const { clones } = planRun(
      parseRequest(startInputOf(request).request, config),
      config,
      run.executionName,
    );
    const { first, end } = sliceRange(slice, run.sliceSize, run.total);
    const facts = new Map((sources ?? []).map((s) => [s.sourcePath, s.sourceVm]));
    // The whole plan follows the placement (so the k-th clone of a source lands where every child agrees), then
    // this slice is kept. The clone fleet gets it with the sources' facts; the teardown fleet from the run.
    const placement =
      sources ?? run.placement?.map((p) => ({ source: p.source, sourcePath: p.sourcePath, count: p.count }));
    const placed = placement?.every((s) => s.count !== undefined)
      ? pathsFromCounts(
          clones,
          placement.map((s) => ({ source: s.source, sourcePath: s.sourcePath, count: s.count ?? 0 })),
        )
      : clones.map((c) => c.sourcePath);
    const refs = new Map((run.placement ?? []).map((p) => [p.sourcePath, p.vm]));
    const mine = clones.slice(first, end).map((c, i) => {
      const sourcePath = placed[first + i] as string;
      if (!sources) {
        const sourceRef = refs.get(sourcePath);
        return { ...c, sourcePath, ...(sourceRef ? { sourceRef } : {}) };
      }
      const sourceVm = facts.get(sourcePath);
      if (!sourceVm) throw new TypeError(`no verified facts for source ${sourcePath}`);
      return { ...c, sourcePath, sourceVm };
    });
    return { run, clones: mine };
  },
);
