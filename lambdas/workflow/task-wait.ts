// Waiting for a vCenter task from data: one RetrievePropertiesEx of the task's info when tasks of its kind
// usually end, a few dense looks after that, and only then (or with no data yet in this container) a property
// filter (CreateFilter + WaitForUpdatesEx + DestroyPropertyFilter). Same contract as waitForTask: returns
// `info.result`, throws the task's own fault (VsphereFault with `task`), a failed look or wait rejects as a
// failed wait does (the task may go on).
import {
  type MoRef,
  retrieveProperties,
  TASK_PATHS,
  taskEnded,
  taskOutcome,
  type VsphereClient,
  VsphereTimeoutError,
  waitForValues,
} from '../vsphere/index.js';
import { lookUntil } from './look-until.js';
import type { LookProfile } from './run-times.js';

/**
 * The first look aims at the median run (a look too early costs a call, one too late only the time since the
 * end); then looks 5 % of a run apart (≥ 100 ms), each gap half as long again as the one before, so a run far
 * longer than usual costs a few looks, not dozens, before the filter takes over.
 */
export const TASK_LOOKS: LookProfile = {
  quantile: 0.5,
  denseFraction: 0.05,
  denseMinMs: 100,
  denseGrowth: 1.5,
  maxBackoffMs: 1_000,
  fewRunsMargin: 0,
};
/** Dense looks before a filter takes over (it then reports the end as it happens). */
const MAX_LOOKS = 4;

export async function taskInfo(c: VsphereClient, task: MoRef): Promise<Record<string, unknown>> {
  return (await retrieveProperties(c, [task], TASK_PATHS)).get(task.value) ?? {};
}

/** Waits for `task` (started just now); `kind` names what it does, so its usual time is learned per kind. */
export async function awaitTask(
  c: VsphereClient,
  task: MoRef,
  options: { kind: string; timeoutMs: number },
): Promise<unknown> {
  const values = await lookUntil({
    kind: `task:${options.kind}`,
    profile: TASK_LOOKS,
    deadline: Date.now() + options.timeoutMs,
    look: () => taskInfo(c, task),
    ended: taskEnded,
    learn: (v) => v['info.state'] === 'success',
    push: (timeoutMs) => waitForValues(c, task, TASK_PATHS, taskEnded, { timeoutMs }),
    maxLooks: MAX_LOOKS,
    timeout: () => new VsphereTimeoutError(`timed out waiting for task ${task.value}`),
  });
  return taskOutcome(values, task);
}
