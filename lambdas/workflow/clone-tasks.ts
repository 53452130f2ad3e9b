// InstantClone tasks outlive the calls that watch them: when waiting on one fails (a fault from
// WaitForUpdatesEx or the property collector), the task goes on and its clone may appear later. Only the
// task's own error says a clone was not created.
import { type MoRef, pollTask, retrieveAll, toPropertyMap, type VsphereClient } from '../vsphere/index.js';
import { checkRunMarker } from './clone-ops.js';
import { faultNameOf } from './faults.js';
import { findVm } from './vsphere-ops.js';

const INSTANT_CLONE = 'VirtualMachine.instantClone';
const ENDED = new Set(['success', 'error']);

/** Whether an error is a task's own `info.error` (the only proof of what the task did). */
export function isTaskError(error: unknown): boolean {
  return faultNameOf(error) !== undefined && (error as { task?: unknown }).task !== undefined;
}

const PATHS = ['info.descriptionId', 'info.state'];
/** A VM's recent tasks reached by traversal (the VM itself skipped): read with whatever else a read asks. */
const tasksOf = (vm: MoRef) => ({
  obj: vm,
  skip: true,
  selectSet: [{ type: 'VirtualMachine', path: 'recentTask' }],
});
const TASK_PROPS = { type: 'Task', all: false, pathSet: PATHS };

/** The InstantClone tasks that have not ended among what a read returned (a purged task is not returned). */
function running(read: Map<string, Record<string, unknown>>): MoRef[] {
  return [...read]
    .filter(([, p]) => p['info.descriptionId'] === INSTANT_CLONE && !ENDED.has(String(p['info.state'])))
    .map(([value]) => ({ type: 'Task', value }));
}

/** Reads the given running tasks until they end (no long poll). True when none is left running. */
async function settle(c: VsphereClient, tasks: MoRef[], timeoutMs: number): Promise<boolean> {
  const ended = await Promise.all(
    tasks.map((task) =>
      pollTask(c, task, { timeoutMs }).then(
        () => true,
        (e: unknown) => isTaskError(e),
      ),
    ),
  );
  return ended.every(Boolean);
}

/**
 * Lets the InstantClone tasks still running on a source end (its recent tasks in one read, then reading the
 * running ones until they end), so a search by name afterwards sees what they created. True when none is left
 * running.
 */
export async function settleInstantCloneTasks(
  c: VsphereClient,
  source: MoRef | undefined,
  timeoutMs: number,
): Promise<boolean> {
  if (!source) return true;
  const read = toPropertyMap(await retrieveAll(c, [{ propSet: [TASK_PROPS], objectSet: [tasksOf(source)] }]));
  return settle(c, running(read), timeoutMs);
}

/**
 * This run's clone by name, its `paths` read in the same RetrievePropertiesEx as the run marker and the source's
 * recent tasks; InstantClone tasks still running on the source are let end before it returns (one of them, an
 * earlier attempt's, must not add a clone once this one is gone). Undefined if no VM has that name: the caller
 * then settles and searches again, since a clone whose task ended after the search would have been missed.
 */
export async function findRunCloneSettled(
  c: VsphereClient,
  where: { folder: string; name: string; runId: string; source: MoRef | undefined },
  paths: string[],
  timeoutMs: number,
): Promise<{ ref: MoRef; props: Record<string, unknown> } | undefined> {
  const ref = await findVm(c, `${where.folder}/${where.name}`);
  if (!ref) return undefined;
  const read = toPropertyMap(
    await retrieveAll(c, [
      {
        propSet: [
          { type: 'VirtualMachine', all: false, pathSet: [...new Set(['config.extraConfig', ...paths])] },
          TASK_PROPS,
        ],
        objectSet: [{ obj: ref, skip: false }, ...(where.source ? [tasksOf(where.source)] : [])],
      },
    ]),
  );
  const props = read.get(ref.value) ?? {};
  checkRunMarker(where, props);
  const tasks = running(read);
  if (tasks.length > 0) await settle(c, tasks, timeoutMs);
  return { ref, props };
}
