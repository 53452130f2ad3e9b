import type { VsphereClient } from './client.js';
import { clock } from './clock.js';
import { VsphereTimeoutError } from './errors.js';
import { taskFault } from './fault.js';
import { PropertyWatch, type WatchTarget } from './property-watch.js';
import { retrieveProperties } from './retrieve.js';
import type { MoRef } from './types.js';

export interface WaitForOptions {
  /** Overall limit (wall ms, see clock.ts); default 10 minutes. */
  timeoutMs?: number;
  /** Upper bound for one WaitForUpdatesEx call; default 20 s (keep below a Lambda's timeout). */
  maxWaitSeconds?: number;
}

/**
 * Watches `paths` of `obj` with CreateFilter + WaitForUpdatesEx (passing the version back)
 * until `done(values)` holds; always destroys the filter. Returns the values seen last.
 * Not safe to run concurrently on one client: the session has one PropertyCollector, so each
 * caller's WaitForUpdatesEx consumes (and skips) the updates of the other callers' filters.
 */
export async function waitForValues(
  c: VsphereClient,
  obj: MoRef,
  paths: string[],
  done: (values: Record<string, unknown>) => boolean,
  options: WaitForOptions = {},
): Promise<Record<string, unknown>> {
  const all = await waitForAll(c, [{ obj, paths }], (v) => done(v[obj.value] ?? {}), options);
  return all[obj.value] ?? {};
}

/**
 * Like waitForValues for several objects in one filter (e.g. a VM's task and the VM itself), so one
 * CreateFilter/DestroyPropertyFilter pair serves them all. Values are keyed by the objects' MoRef values.
 */
export async function waitForAll(
  c: VsphereClient,
  targets: WatchTarget[],
  done: (values: Record<string, Record<string, unknown>>) => boolean,
  options: WaitForOptions = {},
): Promise<Record<string, Record<string, unknown>>> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const what = () => targets.map((t) => `${t.obj.type} ${t.obj.value} ${t.paths.join(',')}`).join('; ');
  const watch = await PropertyWatch.open(c, targets);
  try {
    for (;;) {
      const remaining = Math.ceil((deadline - Date.now()) / 1000);
      if (remaining <= 0) throw new VsphereTimeoutError(`timed out waiting for ${what()}`);
      const got = await watch.next(Math.min(remaining, clock.wallSeconds(options.maxWaitSeconds ?? 20)));
      // After a re-login the next poll makes the filter again and brings the values afresh.
      if (got === 'restarted') continue;
      // An empty long poll still asks `done` again: a caller may give up waiting for part of its values.
      if (done(watch.values)) return watch.values;
    }
  } finally {
    await watch.close();
  }
}

/** Waits for a Task to finish; returns `info.result`, throws VsphereFault from `info.error`. */
export async function waitForTask(
  c: VsphereClient,
  task: MoRef,
  options: WaitForOptions = {},
): Promise<unknown> {
  const v = await waitForValues(c, task, TASK_PATHS, taskEnded, options);
  return taskOutcome(v, task);
}

export const TASK_PATHS = ['info.state', 'info.result', 'info.error'];

export function taskEnded(v: Record<string, unknown> | undefined): boolean {
  return v?.['info.state'] === 'success' || v?.['info.state'] === 'error';
}

/** `info.result` of an ended task's values; throws VsphereFault from `info.error`. */
export function taskOutcome(v: Record<string, unknown>, task: MoRef): unknown {
  if (v['info.state'] === 'error') throw taskFault(v['info.error'], task);
  return v['info.result'];
}

/** Waits until `predicate(value of path)` holds; returns that value. */
export async function waitForProperty<T = unknown>(
  c: VsphereClient,
  obj: MoRef,
  path: string,
  predicate: (value: T | undefined) => boolean,
  options: WaitForOptions = {},
): Promise<T | undefined> {
  const v = await waitForValues(c, obj, [path], (x) => predicate(x[path] as T | undefined), options);
  return v[path] as T | undefined;
}

/**
 * Reads a task's `info` with RetrievePropertiesEx until it ends (no filter, no long poll: for when waiting
 * with WaitForUpdatesEx failed but the task goes on). Returns `info.result`, throws the task's own error
 * (VsphereFault with `task` set), or VsphereTimeoutError if it has not ended within `timeoutMs`.
 */
export async function pollTask(
  c: VsphereClient,
  task: MoRef,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<unknown> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = Math.min(options.intervalMs ?? 250, options.timeoutMs);
  for (;;) {
    const info = (await retrieveProperties(c, [task], ['info.state', 'info.result', 'info.error'])).get(
      task.value,
    );
    if (info?.['info.state'] === 'success') return info['info.result'];
    if (info?.['info.state'] === 'error') throw taskFault(info['info.error'], task);
    if (Date.now() + clock.wallMs(interval) > deadline)
      throw new VsphereTimeoutError(`task ${task.value} had not ended after ${options.timeoutMs} ms`);
    await clock.sleep(interval);
    interval = Math.min(interval * 2, 2_000);
  }
}
