// Teardown: the shared PowerOff + Destroy (workflow/vm-teardown.ts). "Gone" only from ManagedObjectNotFound or a
// fresh search by name + run marker. With no moref (the clone's wait failed, or the call crashed) it lets the
// source's running InstantClone tasks end, then searches. Never destroys a VM without this run's marker. Also
// shortens the error of a failed clone.
import * as z from 'zod';
import type { MoRef } from '../vsphere/index.js';
import { cloneFolder, findRunClone } from '../workflow/clone-ops.js';
import { settleInstantCloneTasks } from '../workflow/clone-tasks.js';
import { TeardownFailedError } from '../workflow/errors.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { hasRunMarker } from '../workflow/naming.js';
import { logger } from '../workflow/powertools.js';
import { moRefSchema } from '../workflow/states.js';
import { shortError } from '../workflow/summary.js';
import { tableAccess } from '../workflow/table-access.js';
import { startPhase } from '../workflow/timing.js';
import { GONE, tearDownVm } from '../workflow/vm-teardown.js';
import { extraConfigOf, propsOf } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  runId: z.string(),
  folder: z.string().nullable(),
  clone: z.looseObject({
    name: z.string(),
    sourcePath: z.string(),
    moref: moRefSchema.nullish(),
    tornDown: z.boolean().optional(),
  }),
  error: z.unknown().optional(),
});

const gone = (e: unknown) => faultNameOf(e) === GONE;

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS, permits: tableAccess },
  async ({ runId, folder, clone, error }, { vcenter, remainingMs }) => {
    const end = startPhase();
    const result = (outcome: string, moref: MoRef | null) => ({
      name: clone.name,
      outcome,
      moref,
      timing: end(),
      error: error === undefined ? null : shortError(error),
    });
    if (clone.tornDown) return result('skipped', clone.moref ?? null);
    const c = await vcenter();
    const folderPath = cloneFolder(folder, clone.sourcePath);
    const budget = () => Math.max(1_000, Math.min(120_000, remainingMs()));
    try {
      let moref = clone.moref ?? undefined;
      if (!moref) {
        // No moref: the clone's task may still be running although waiting on it failed. Let it end first,
        // then search by name + marker; "not created" only when nothing is left that could create it.
        const settled = await settleInstantCloneTasks(c, clone.sourcePath, budget() / 2);
        moref = await findRunClone(c, folderPath, clone.name, runId);
        if (!moref) {
          if (!settled)
            throw new TeardownFailedError(
              `clone ${clone.name}: an InstantClone task on ${clone.sourcePath} is still running`,
            );
          return result('notFound', null);
        }
      }
      let props: Record<string, unknown>;
      try {
        props = await propsOf(c, moref, ['runtime.powerState', 'config.extraConfig']);
      } catch (e) {
        if (gone(e)) return result('alreadyGone', moref);
        throw e;
      }
      if (Object.keys(props).length === 0) {
        // Nothing read back is no proof the VM is gone: look again by name and run marker.
        const found = await findRunClone(c, folderPath, clone.name, runId);
        if (!found) return result('alreadyGone', moref);
        moref = found;
        props = await propsOf(c, moref, ['runtime.powerState', 'config.extraConfig']);
      }
      if (!hasRunMarker(extraConfigOf(props['config.extraConfig']), runId)) {
        logger.error('refusing to destroy a VM without this run marker', { moref: moref.value, runId });
        return result('notOurs', moref);
      }
      const outcome = await tearDownVm(c, moref, {
        powerState: props['runtime.powerState'],
        taskTimeoutMs: budget(),
      });
      return result(outcome, moref);
    } catch (e) {
      throw toWorkflowError(e, 'teardown', `clone ${clone.name}`);
    }
  },
);
