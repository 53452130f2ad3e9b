// ReconnectNic: connects the clone's NIC (it was cloned disconnected so two clones never share the source's
// network identity), after which the guest script can pick up its new MAC and lease. The NIC comes from the
// state (the source's device as VerifySourceFrozen read it, the clone's key as InstantClone read it): no second
// read of the device list. Connecting a NIC that is connected already (a retry) changes nothing.
import { reconfigVmTask, type VirtualEthernetCard } from '../vsphere/index.js';
import { toWorkflowError } from '../workflow/faults.js';
import { recordPhase } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { finishTask, nicEdit } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';

export const handler = workflowHandler(
  { input: perCloneInput },
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
      await finishTask(c, task, remainingMs(), 120_000);
      const timing = end();
      recordPhase('reconnectPhaseMs', timing);
      return { timing };
    } catch (error) {
      throw toWorkflowError(error, 'reconnect', `clone ${clone.name}`);
    }
  },
);
