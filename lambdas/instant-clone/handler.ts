// InstantClone: one clone from its frozen source, NIC disconnected (migrateConnect: disconnect,
// startConnected: true) and the run marker, lease and optional static IP in guestinfo, all atomically in the
// spec. Idempotent: a retried or duplicated call finds this run's clone by name + marker and reuses it.
import * as z from 'zod';
import { instantCloneTask, type MoRef, pollTask } from '../vsphere/index.js';
import { cloneFolder, cloneNic, findRunClone } from '../workflow/clone-ops.js';
import { isTaskError } from '../workflow/clone-tasks.js';
import { InvalidRequestError } from '../workflow/errors.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { cloneExtraConfig } from '../workflow/naming.js';
import { recordPhase } from '../workflow/powertools.js';
import { cloneItemState, runState } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { startPhase } from '../workflow/timing.js';
import { findVm, finishTask, nicEdit } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({ run: runState, clone: cloneItemState });

async function required(
  c: Parameters<typeof findVm>[0],
  field: string,
  path: string | null,
): Promise<MoRef | undefined> {
  if (!path) return undefined;
  const ref = await findVm(c, path);
  if (!ref) throw new InvalidRequestError(`${field}: nothing at inventory path ${path}`);
  return ref;
}

const options = { input, needs: HANDLER_NEEDS, permits: tableAccess };
export const handler = workflowHandler(options, async ({ run, clone }, { vcenter, remainingMs }) => {
  const end = startPhase();
  const c = await vcenter();
  const folderPath = cloneFolder(run.folder, clone.sourcePath);
  const src = clone.sourceVm;
  try {
    let moref = await findRunClone(c, folderPath, clone.name, run.runId);
    const reused = moref !== undefined;
    if (!moref) {
      const task = await instantCloneTask(c, src.vm, {
        name: clone.name,
        location: {
          folder: await required(c, 'folder', run.folder),
          pool: await required(c, 'pool', run.pool),
          deviceChange: [
            {
              operation: 'edit',
              device: nicEdit(
                src.nic as never,
                {
                  migrateConnect: 'disconnect',
                  startConnected: true,
                  allowGuestControl: true,
                  connected: false,
                },
                src.networkBacking as never,
              ),
            },
          ],
        },
        config: cloneExtraConfig({
          ...run,
          index: clone.index,
          hostname: clone.name,
          staticIp: clone.staticIp,
        }),
      });
      moref = (await finishTask(c, task, `instantClone:${clone.source}`, remainingMs())
        .catch((error: unknown) => {
          if (isTaskError(error)) throw error;
          // Waiting failed, not the task: it goes on and its clone may appear. Read the task until it ends;
          // if even that fails, the original error stands (retried; the retry finds the clone by name).
          c.logger.warn('waiting for InstantClone_Task failed; reading the task until it ends', {
            error: String(error),
          });
          return pollTask(c, task, { timeoutMs: Math.max(1_000, remainingMs() - 5_000) }).catch(
            (e: unknown) => {
              throw isTaskError(e) ? e : error;
            },
          );
        })
        .catch(async (error: unknown) => {
          // A concurrent or crashed earlier attempt may have created it meanwhile.
          if (faultNameOf(error) !== 'DuplicateName') throw error;
          const existing = await findRunClone(c, folderPath, clone.name, run.runId);
          if (!existing) throw error; // the name is taken but not by a VM we can find: report the fault
          return existing;
        })) as MoRef;
    }
    const { mac, nicKey } = await cloneNic(c, moref);
    const timing = end();
    if (!reused) recordPhase('clonePhaseMs', timing);
    return { moref, host: src.hostName, mac, nicKey, reused, timing };
  } catch (error) {
    throw toWorkflowError(error, 'clone', `clone ${clone.name} of ${clone.sourcePath}`);
  }
});
