// Teardown: PowerOff (InvalidState = already off), then Destroy (ManagedObjectNotFound = already gone). Finds the
// clone by name + run marker when no moref is known (the clone task may have finished in a crashed call), and
// never destroys a VM that does not carry this run's marker. Also shortens the error of a failed clone.
import { z } from 'zod';
import { destroyTask, type MoRef, powerOffVmTask } from '../vsphere/index.js';
import { cloneFolder, findRunClone } from '../workflow/clone-ops.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { hasRunMarker } from '../workflow/naming.js';
import { logger } from '../workflow/powertools.js';
import { moRefSchema } from '../workflow/states.js';
import { shortError } from '../workflow/summary.js';
import { startPhase } from '../workflow/timing.js';
import { extraConfigOf, finishTask, propsOf } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';

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

const gone = (e: unknown) => faultNameOf(e) === 'ManagedObjectNotFound';

export const handler = workflowHandler(
  { input, permit: 'teardown' },
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
    try {
      const moref =
        clone.moref ?? (await findRunClone(c, cloneFolder(folder, clone.sourcePath), clone.name, runId));
      if (!moref) return result('notFound', null);
      let props: Record<string, unknown>;
      try {
        props = await propsOf(c, moref, ['runtime.powerState', 'config.extraConfig']);
      } catch (e) {
        if (gone(e)) return result('alreadyGone', moref);
        throw e;
      }
      if (Object.keys(props).length === 0) return result('alreadyGone', moref);
      if (!hasRunMarker(extraConfigOf(props['config.extraConfig']), runId)) {
        logger.error('refusing to destroy a VM without this run marker', { moref: moref.value, runId });
        return result('notOurs', moref);
      }
      if (props['runtime.powerState'] !== 'poweredOff') {
        await finishTask(c, await powerOffVmTask(c, moref), remainingMs(), 120_000).catch((e: unknown) => {
          if (faultNameOf(e) !== 'InvalidState') throw e;
        });
      }
      try {
        await finishTask(c, await destroyTask(c, moref), remainingMs(), 120_000);
      } catch (e) {
        if (gone(e)) return result('alreadyGone', moref);
        throw e;
      }
      return result('destroyed', moref);
    } catch (e) {
      throw toWorkflowError(e, 'teardown', `clone ${clone.name}`);
    }
  },
);
