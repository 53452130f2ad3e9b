// InstantClone tasks outlive the calls that watch them: when waiting on one fails (a fault from
// WaitForUpdatesEx or the property collector), the task goes on and its clone may appear later. Only the
// task's own error says a clone was not created.
import { asArray, type MoRef, pollTask, retrieveProperties, type VsphereClient } from '../vsphere/index.js';
import { faultNameOf } from './faults.js';
import { findVm } from './vsphere-ops.js';

const INSTANT_CLONE = 'VirtualMachine.instantClone';
const ENDED = new Set(['success', 'error']);

/** Whether an error is a task's own `info.error` (the only proof of what the task did). */
export function isTaskError(error: unknown): boolean {
  return faultNameOf(error) !== undefined && (error as { task?: unknown }).task !== undefined;
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
  const recent = asArray(
    (await retrieveProperties(c, [source], ['recentTask'])).get(source.value)?.recentTask as
      | MoRef[]
      | undefined,
  );
  const running: MoRef[] = [];
  for (const task of recent) {
    const info = await retrieveProperties(c, [task], ['info.descriptionId', 'info.state']).catch(
      (e: unknown) => {
        if (faultNameOf(e) === 'ManagedObjectNotFound') return undefined; // purged: long over
        throw e;
      },
    );
    const props = info?.get(task.value);
    if (props?.['info.descriptionId'] === INSTANT_CLONE && !ENDED.has(String(props['info.state'])))
      running.push(task);
  }
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
