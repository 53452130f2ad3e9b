// InstantClone: one clone from its frozen source, NIC disconnected (migrateConnect: disconnect,
// startConnected: true) and the run marker, lease and optional static IP in guestinfo, all atomically in the
// spec. Idempotent: a retried or redriven call finds this run's clone by name + marker and reuses it. A first
// attempt (the ASL passes `$$.State.RetryCount` and `$$.Execution.RedriveCount`, both 0) skips that search: a
// Standard execution runs a state once unless it is retried or redriven, so no earlier attempt can have made the
// clone; should a VM of that name exist all the same, vCenter refuses the name (DuplicateName) and the search
// runs then. Without `attempt` (an older ASL, a direct invocation) it always searches first.
import * as z from 'zod';
import { instantCloneTask, type MoRef, pollTask } from '../vsphere/index.js';
import { cloneFolder, findRunClone } from '../workflow/clone-ops.js';
import { isTaskError } from '../workflow/clone-tasks.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { cloneExtraConfig } from '../workflow/naming.js';
import { recordPhase } from '../workflow/powertools.js';
import { cloneItemState, runState } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { startPhase } from '../workflow/timing.js';
import { finishTask, nicEdit, requiredRef } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  run: runState,
  clone: cloneItemState,
  attempt: z.object({ retryCount: z.number(), redriveCount: z.number() }).optional(),
});

const options = { input, needs: HANDLER_NEEDS, table: tableAccess };
export const handler = workflowHandler(options, async ({ run, clone, attempt }, { vcenter, remainingMs }) => {
  const end = startPhase();
  const c = await vcenter();
  const folderPath = cloneFolder(run.folder, clone.sourcePath);
  const src = clone.sourceVm;
  try {
    const first = attempt?.retryCount === 0 && attempt.redriveCount === 0;
    let moref = first ? undefined : await findRunClone(c, folderPath, clone.name, run.runId);
    const reused = moref !== undefined;
    if (!moref) {
      const task = await instantCloneTask(c, src.vm, {
        name: clone.name,
        location: {
          // Resolved once per run by VerifySourceFrozen; looked up here only for a run state without them.
          folder: run.folderRef ?? (run.folder ? await requiredRef(c, 'folder', run.folder) : undefined),
          pool: run.poolRef ?? (run.pool ? await requiredRef(c, 'pool', run.pool) : undefined),
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
    // The clone's NIC has the source NIC's key (the clone spec's deviceChange edited the device of that key);
    // its new MAC is read by ReconnectNic with the reconfigure's end, not here in a read of its own.
    const timing = end();
    if (!reused) recordPhase('clonePhaseMs', timing);
    return { moref, host: src.hostName, mac: null, nicKey: src.nic.key, reused, timing };
  } catch (error) {
    throw toWorkflowError(error, 'clone', `clone ${clone.name} of ${clone.sourcePath}`);
  }
});
