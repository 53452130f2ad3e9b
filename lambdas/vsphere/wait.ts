import type { VsphereClient } from './client.js';
import { clock } from './clock.js';
import { VsphereTimeoutError } from './errors.js';
import { taskFault } from './fault.js';
import { createFilter, destroyPropertyFilter, waitForUpdatesEx } from './property-collector.js';
import { retrieveProperties } from './retrieve.js';
import type { MoRef } from './types.js';

export interface WaitForOptions {
  /** Overall limit (wall ms, see clock.ts); default 10 minutes. */
  timeoutMs?: number;
  /** Upper bound for one WaitForUpdatesEx call; default 20 s (keep below a Lambda's timeout). */
  maxWaitSeconds?: number;
}

/** One object and the properties of it to watch. */
export interface WatchTarget {
  obj: MoRef;
  paths: string[];
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
  const types = [...new Set(targets.map((t) => t.obj.type))];
  const spec = {
    propSet: types.map((type) => ({
      type,
      all: false,
      pathSet: [...new Set(targets.filter((t) => t.obj.type === type).flatMap((t) => t.paths))],
    })),
    objectSet: targets.map((t) => ({ obj: t.obj, skip: false })),
  };
  const what = () => targets.map((t) => `${t.obj.type} ${t.obj.value} ${t.paths.join(',')}`).join('; ');
  let values: Record<string, Record<string, unknown>> = {};
  // A filter lives in its session: after a re-login (by this call or a concurrent one on the client) it is
  // gone, and WaitForUpdatesEx on the new session would return nothing until the deadline. So the filter is
  // created again and the wait starts over from version "" (the server then sends the current values).
  // Read after CreateFilter: if it logged in again itself, the filter is on the newest session already.
  let filter = await createFilter(c, spec);
  let generation = c.sessionGeneration;
  try {
    let version = '';
    for (;;) {
      if (c.sessionGeneration !== generation) {
        filter = await createFilter(c, spec);
        generation = c.sessionGeneration;
        version = '';
        values = {};
      }
      const remaining = Math.ceil((deadline - Date.now()) / 1000);
      if (remaining <= 0) throw new VsphereTimeoutError(`timed out waiting for ${what()}`);
      const set = await waitForUpdatesEx(c, version, {
        maxWaitSeconds: Math.min(remaining, clock.wallSeconds(options.maxWaitSeconds ?? 20)),
      }).catch((e: unknown) => {
        // The client logged in again (not retrying a call whose filter is gone): start over below.
        if (c.sessionGeneration !== generation) return undefined;
        throw e;
      });
      if (c.sessionGeneration !== generation) continue;
      // An empty long poll still asks `done` again: a caller may give up waiting for part of its values.
      if (!set) {
        if (done(values)) return values;
        continue;
      }
      version = set.version;
      for (const f of set.filterSet) {
        if (f.filter.value !== filter.value) continue;
        for (const u of f.objectSet) {
          // With one object in the filter every update is its own (whatever MoRef form the server echoes).
          const key = targets.length === 1 ? (targets[0]?.obj.value ?? u.obj.value) : u.obj.value;
          const of = values[key] ?? {};
          values[key] = of;
          for (const ch of u.changeSet) {
            if (ch.op === 'assign' || ch.op === 'add') of[ch.name] = ch.val;
            else delete of[ch.name];
          }
        }
      }
      if (done(values)) return values;
    }
  } finally {
    // After a re-login the old session's filter is already gone; only a current one is destroyed.
    if (c.sessionGeneration === generation)
      await destroyPropertyFilter(c, filter).catch((e: unknown) =>
        c.logger.warn('DestroyPropertyFilter failed', { error: String(e) }),
      );
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
