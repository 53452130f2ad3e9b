// ReconnectNic: connects the clone's NIC (it was cloned disconnected so two clones never share the source's
// network identity), after which the guest script can pick up its new MAC and lease.
import { reconfigVmTask } from '../vsphere/index.js';
import { NicReconnectFailedError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { recordPhase } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { finishTask, firstNic, nicEdit, propsOf, truthy } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';

export const handler = workflowHandler(
  { input: perCloneInput, permit: 'reconfigure' },
  async ({ clone, created }, { vcenter, remainingMs }) => {
    const end = startPhase();
    const c = await vcenter();
    try {
      const props = await propsOf(c, created.moref, ['config.hardware.device']);
      const nic = firstNic(props['config.hardware.device']);
      if (!nic) throw new NicReconnectFailedError(`clone ${clone.name} has no Ethernet adapter`);
      if (!truthy(nic.connectable?.connected)) {
        const device = nicEdit(nic, { startConnected: true, allowGuestControl: true, connected: true });
        const task = await reconfigVmTask(c, created.moref, {
          deviceChange: [{ operation: 'edit', device }],
        });
        await finishTask(c, task, remainingMs(), 120_000);
      }
      const timing = end();
      recordPhase('reconnectPhaseMs', timing);
      return { timing };
    } catch (error) {
      throw toWorkflowError(error, 'reconnect', `clone ${clone.name}`);
    }
  },
);
