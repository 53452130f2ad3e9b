// ReconnectNic: connects the clone's NIC (it was cloned disconnected so two clones never share the source's
// network identity), after which the guest script can pick up its new MAC and lease. The NIC comes from the
// state (the source's device as VerifySourceFrozen read it, with its key, which the clone's NIC keeps); the
// clone's new MAC is read with the reconfigure's end (the device list in the same read) and put into `created`
// for the states after this one. Connecting a NIC that is connected already (a retry) changes nothing.
//
// The reconfigure task and the clone's guest.guestOperationsReady are awaited together: the guest refresh
// cannot start before Tools is up (the post-clone blackout outlasts the reconfigure), so waiting here for a
// few seconds more costs no time on the critical path and spares RefreshGuestNetwork a refused start and a
// filter of its own. Tools that stay down past GUEST_OPS_GRACE_MS are left to RefreshGuestNetwork's retries.
// Both are read in one RetrievePropertiesEx when this container's data says they usually are done (then
// densely), and watched in one filter when there is no data yet or the looks did not find them done.

import * as z from 'zod';
import {
  clock,
  reconfigVmTask,
  TASK_PATHS,
  taskEnded,
  taskOutcome,
  type VirtualEthernetCard,
  VsphereTimeoutError,
  waitForAll,
} from '../vsphere/index.js';
import { CloneFailedError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { lookUntil } from '../workflow/look-until.js';
import { recordPhase } from '../workflow/powertools.js';
import { createdState, perCloneInput } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { TASK_LOOKS } from '../workflow/task-wait.js';
import { startPhase } from '../workflow/timing.js';
import { firstNic, nicEdit, readAll, truthy } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const GUEST_OPS_GRACE_MS = 10_000;
const READY = 'guest.guestOperationsReady';
const DEVICES = 'config.hardware.device';

/** InstantClone leaves the MAC to this state (null until then). */
const input = perCloneInput.extend({ created: createdState.extend({ mac: z.string().nullable() }) });

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS, table: tableAccess },
  async ({ clone, created }, { vcenter, remainingMs }) => {
    const end = startPhase();
    const c = await vcenter();
    try {
      const nic = { ...(clone.sourceVm.nic as VirtualEthernetCard), key: created.nicKey };
      const device = nicEdit(
        nic,
        { startConnected: true, allowGuestControl: true, connected: true },
        clone.sourceVm.networkBacking as never,
      );
      const task = await reconfigVmTask(c, created.moref, { deviceChange: [{ operation: 'edit', device }] });
      let endedAt: number | undefined;
      const done = (v: Record<string, Record<string, unknown>>) => {
        if (!taskEnded(v[task.value])) return false;
        endedAt ??= clock.now();
        if (v[task.value]?.['info.state'] === 'error') return true;
        return truthy(v[created.moref.value]?.[READY]) || clock.now() - endedAt >= GUEST_OPS_GRACE_MS;
      };
      const targets = [
        { obj: task, paths: TASK_PATHS },
        { obj: created.moref, paths: [READY, DEVICES] },
      ];
      const timeoutMs = Math.max(1_000, Math.min(120_000, remainingMs()));
      // Looked at (both in one read) when the reconfigure and Tools usually are done, by push otherwise.
      const values = await lookUntil({
        kind: `reconnect:${clone.source}`,
        profile: TASK_LOOKS,
        deadline: Date.now() + timeoutMs,
        look: async () => Object.fromEntries(await readAll(c, targets)),
        ended: done,
        learn: (v) => v[task.value]?.['info.state'] === 'success' && truthy(v[created.moref.value]?.[READY]),
        push: (ms) => waitForAll(c, targets, done, { timeoutMs: ms, maxWaitSeconds: 5 }),
        maxLooks: 4,
        timeout: () => new VsphereTimeoutError(`timed out waiting for task ${task.value} and ${READY}`),
      });
      taskOutcome(values[task.value] ?? {}, task);
      const mac = firstNic(values[created.moref.value]?.[DEVICES])?.macAddress;
      if (!mac) throw new CloneFailedError(`clone ${created.moref.value} has no Ethernet adapter with a MAC`);
      const timing = end();
      recordPhase('reconnectPhaseMs', timing);
      return { created: { ...created, mac }, timing };
    } catch (error) {
      throw toWorkflowError(error, 'reconnect', `clone ${clone.name}`);
    }
  },
);
