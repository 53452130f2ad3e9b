// InstantClone tasks outlive the calls that watch them: when waiting on one fails (a fault from
// WaitForUpdatesEx or the property collector), the task goes on and its clone may appear later. Only the
// task's own error says a clone was not created.
import { type MoRef, pollTask, retrieveAll, toPropertyMap, type VsphereClient } from '../vsphere/index.js';
import { faultNameOf } from './faults.js';
import { findVm } from './vsphere-ops.js';

const INSTANT_CLONE = 'VirtualMachine.instantClone';
const ENDED = new Set(['success', 'error']);

/** Whether an error is a task's own `info.error` (the only proof of what the task did). */
export function isTaskError(error: unknown): boolean {
  return faultNameOf(error) !== undefined && (error as { task?: unknown }).task !== undefined;
}

const PATHS = ['info.descriptionId', 'info.state'];

/**
 * The InstantClone tasks among a VM's `recentTask` that have not ended, in one RetrievePropertiesEx (the tasks
 * reached by traversal). A task vCenter has purged meanwhile is not returned: it ended long ago.
 */
async function runningInstantClones(c: VsphereClient, vm: MoRef): Promise<MoRef[]> {
  const infos = toPropertyMap(
    await retrieveAll(c, [
      {
        propSet: [{ type: 'Task', all: false, pathSet: PATHS }],
        objectSet: [{ obj: vm, skip: true, selectSet: [{ type: 'VirtualMachine', path: 'recentTask' }] }],
      },
    ]),
  );
  return [...infos]
    .filter(([, p]) => p['info.descriptionId'] === INSTANT_CLONE && !ENDED.has(String(p['info.state'])))
    .map(([value]) => ({ type: 'Task', value }));
}

/**
 * Lets the InstantClone tasks still running on a source end (reading their state, no long poll), so a search by
 * name afterwards sees what they created. True when none is left running.
 */
export async function settleInstantCloneTasks(
  c: VsphereClient,
  sourcePath: string,
  timeoutMs: number,
): Promise<boolean> {
  const source = await findVm(c, sourcePath);
  if (!source) return true;
  const running = await runningInstantClones(c, source);
  const ended = await Promise.all(
    running.map((task) =>
      pollTask(c, task, { timeoutMs }).then(
        () => true,
        (e: unknown) => isTaskError(e),
      ),
    ),
  );
  return ended.every(Boolean);
}
