// Teardown: the shared PowerOff + Destroy (workflow/vm-teardown.ts). "Gone" only from ManagedObjectNotFound or a
// fresh search by name + run marker. With no moref (the clone's wait failed, or the call crashed) it searches by
// name, reading the source's running InstantClone tasks with the clone and letting them end; if nothing has the
// name, it lets them end and searches again. Never destroys a VM without this run's marker. Also shortens the
// error of a failed clone.
import * as z from 'zod';
import type { MoRef, VsphereClient } from '../vsphere/index.js';
import { cloneFolder, findRunCloneWith } from '../workflow/clone-ops.js';
import { findRunCloneSettled, settleInstantCloneTasks } from '../workflow/clone-tasks.js';
import { TeardownFailedError } from '../workflow/errors.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { hasRunMarker } from '../workflow/naming.js';
import { logger } from '../workflow/powertools.js';
import { moRefSchema } from '../workflow/states.js';
import { shortError } from '../workflow/summary.js';
import { tableAccess } from '../workflow/table-access.js';
import { startPhase } from '../workflow/timing.js';
import { GONE, tearDownVm } from '../workflow/vm-teardown.js';
import { extraConfigOf, findVm, propsOf } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  runId: z.string(),
  folder: z.string().nullable(),
  clone: z.looseObject({
    name: z.string(),
    sourcePath: z.string(),
    moref: moRefSchema.nullish(),
    /** the source VM as VerifySourceFrozen found it (DiscardFailedClone and the fleet's plan pass it) */
    sourceRef: moRefSchema.nullish(),
    tornDown: z.boolean().optional(),
  }),
  error: z.unknown().optional(),
});

const gone = (e: unknown) => faultNameOf(e) === GONE;
/** What the teardown decides on: the power state (PowerOff or not) and the run marker (ADR 0002). */
const TEARDOWN_PATHS = ['runtime.powerState', 'config.extraConfig'];

/**
 * The clone by name with the source's running tasks let end (clone-tasks.ts), and the source it used. The source's
 * moref comes from the state when it has one (VerifySourceFrozen found it); a source no longer at that moref is
 * looked up by path.
 */
async function findWithSourceTasks(
  c: VsphereClient,
  where: { folder: string; name: string; runId: string },
  clone: { sourcePath: string; sourceRef?: MoRef | null },
  budgetMs: number,
): Promise<{ found: Awaited<ReturnType<typeof findRunCloneSettled>>; source: MoRef | undefined }> {
  const find = async (source: MoRef | undefined) => ({
    found: await findRunCloneSettled(c, { ...where, source }, TEARDOWN_PATHS, budgetMs / 2),
    source,
  });
  if (!clone.sourceRef) return find(await findVm(c, clone.sourcePath));
  try {
    return await find(clone.sourceRef);
  } catch (e) {
    if (!gone(e)) throw e;
    return find(await findVm(c, clone.sourcePath));
  }
}

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS, table: tableAccess },
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
      let props: Record<string, unknown> | undefined;
      if (!moref) {
        // No moref: the clone's task may still be running although waiting on it failed. Search by name + marker
        // (the power state and the source's running InstantClone tasks in the same read); if it is not there,
        // let those tasks end and search again: "not created" only when nothing is left that could create it.
        const { found, source } = await findWithSourceTasks(
          c,
          { folder: folderPath, name: clone.name, runId },
          clone,
          budget(),
        );
        ({ ref: moref, props } = found ?? {});
        if (!moref) {
          const settled = await settleInstantCloneTasks(c, source, budget() / 2);
          ({ ref: moref, props } =
            (await findRunCloneWith(c, folderPath, clone.name, runId, TEARDOWN_PATHS)) ?? {});
          if (!moref) {
            if (!settled)
              throw new TeardownFailedError(
                `clone ${clone.name}: an InstantClone task on ${clone.sourcePath} is still running`,
              );
            return result('notFound', null);
          }
        }
      }
      if (!props) {
        try {
          props = await propsOf(c, moref, TEARDOWN_PATHS);
        } catch (e) {
          if (gone(e)) return result('alreadyGone', moref);
          throw e;
        }
      }
      if (Object.keys(props).length === 0) {
        // Nothing read back is no proof the VM is gone: look again by name and run marker.
        const found = await findRunCloneWith(c, folderPath, clone.name, runId, TEARDOWN_PATHS);
        if (!found) return result('alreadyGone', moref);
        ({ ref: moref, props } = found);
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
