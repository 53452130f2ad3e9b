// The one teardown of a VM, shared by the workflow's Teardown/DiscardFailedClone and the Reaper: PowerOff
// (already off is fine) then Destroy (already gone is fine), matching vSphere faults by name.
import { destroyTask, type MoRef, powerOffVmTask, type VsphereClient } from '../vsphere/index.js';
import { faultNameOf } from './faults.js';
import { awaitTask } from './task-wait.js';

/**
 * PowerOffVM_Task on a VM that is not powered on: vCenter and vcsim raise InvalidPowerState; InvalidState is
 * what other vCenter versions have been seen to raise for the same case.
 */
const ALREADY_OFF = new Set(['InvalidPowerState', 'InvalidState']);
/** The only fault that says a VM is gone. */
export const GONE = 'ManagedObjectNotFound';

export type TeardownOutcome = 'destroyed' | 'alreadyGone';

/** PowerOff (unless known to be off) + Destroy; throws only on real failures. */
export async function tearDownVm(
  c: VsphereClient,
  vm: MoRef,
  options: { powerState?: unknown; taskTimeoutMs: number },
): Promise<TeardownOutcome> {
  const run = async (kind: string, start: () => Promise<MoRef>) => {
    await awaitTask(c, await start(), { kind, timeoutMs: options.taskTimeoutMs });
  };
  if (options.powerState !== 'poweredOff') {
    try {
      await run('powerOff', () => powerOffVmTask(c, vm));
    } catch (error) {
      const fault = faultNameOf(error);
      if (fault === GONE) return 'alreadyGone';
      if (!fault || !ALREADY_OFF.has(fault)) throw error;
    }
  }
  try {
    await run('destroy', () => destroyTask(c, vm));
    return 'destroyed';
  } catch (error) {
    if (faultNameOf(error) === GONE) return 'alreadyGone';
    throw error;
  }
}
