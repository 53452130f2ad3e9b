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

const PATHS = ['info.descriptionId', 'info.state'];

/** The InstantClone tasks among `tasks` that have not ended; one read, or one per task if some are purged. */
async function runningInstantClones(c: VsphereClient, tasks: MoRef[]): Promise<MoRef[]> {
  if (tasks.length === 0) return [];
  const infos = await retrieveProperties(c, tasks, PATHS).catch(async (e: unknown) => {
    if (faultNameOf(e) !== 'ManagedObjectNotFound') throw e;
    const one = await Promise.all(
      tasks.map((t) =>
        retrieveProperties(c, [t], PATHS).catch((err: unknown) => {
          if (faultNameOf(err) === 'ManagedObjectNotFound') return new Map(); // purged: long over
          throw err;
        }),
      ),
    );
    return new Map(one.flatMap((m) => [...m]));
  });
  return tasks.filter((t) => {
    const props = infos.get(t.value);
    return props?.['info.descriptionId'] === INSTANT_CLONE && !ENDED.has(String(props['info.state']));
  });
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
  const running = await runningInstantClones(c, recent);
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
