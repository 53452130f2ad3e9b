// One property filter on one or more objects, read one long poll at a time. The one place that owns a filter's
// life: made on open, made again after a re-login (a filter lives in its session), its updates applied to the
// values, destroyed on close. waitForAll loops over it; a caller that makes other calls between the polls (the
// refresh's push wait) drives it itself. The caller bounds each WaitForUpdatesEx and must close() the watch in
// every path, so a pooled session collects no filters.
import type { VsphereClient } from './client.js';
import { createFilter, destroyPropertyFilter, waitForUpdatesEx } from './property-collector.js';
import type { MoRef } from './types.js';

export interface WatchTarget {
  obj: MoRef;
  paths: string[];
}

function filterSpec(targets: WatchTarget[]) {
  const types = [...new Set(targets.map((t) => t.obj.type))];
  return {
    propSet: types.map((type) => ({
      type,
      all: false,
      pathSet: [...new Set(targets.filter((t) => t.obj.type === type).flatMap((t) => t.paths))],
    })),
    objectSet: targets.map((t) => ({ obj: t.obj, skip: false })),
  };
}

export class PropertyWatch {
  /** The values seen so far, by object (its MoRef value), then property path. */
  values: Record<string, Record<string, unknown>> = {};
  private version = '';

  private constructor(
    private readonly c: VsphereClient,
    private readonly targets: WatchTarget[],
    private filter: MoRef,
    private generation: number,
  ) {}

  /** Read after CreateFilter: if the client logged in again itself, the filter is on the newest session already. */
  static async open(c: VsphereClient, targets: WatchTarget[]): Promise<PropertyWatch> {
    const filter = await createFilter(c, filterSpec(targets));
    return new PropertyWatch(c, targets, filter, c.sessionGeneration);
  }

  /** The values seen so far of one watched object. */
  of(obj: MoRef): Record<string, unknown> {
    return this.values[obj.value] ?? {};
  }

  /**
   * One WaitForUpdatesEx of at most `maxWaitSeconds` (whole wall seconds; 0 only checks): 'current' when it
   * brought the values as they stood when the filter was made (the first poll of a filter), 'changed' when
   * they changed since, undefined when nothing came. After a re-login (by this client, this call or a
   * concurrent one) the old filter is gone and WaitForUpdatesEx on the new session would bring nothing: a poll
   * that saw it happen says 'restarted', and the next one makes the filter again, starts the values over and
   * brings them afresh ('current' again).
   */
  async next(maxWaitSeconds: number): Promise<'current' | 'changed' | 'restarted' | undefined> {
    if (this.c.sessionGeneration !== this.generation) {
      this.filter = await createFilter(this.c, filterSpec(this.targets));
      this.generation = this.c.sessionGeneration;
      this.version = '';
      this.values = {};
    }
    const generation = this.generation;
    const set = await waitForUpdatesEx(this.c, this.version, { maxWaitSeconds }).catch((e: unknown) => {
      // The client logged in again (not retrying a call whose filter is gone): made again on the next poll.
      if (this.c.sessionGeneration !== generation) return 'restarted' as const;
      throw e;
    });
    if (set === 'restarted' || this.c.sessionGeneration !== generation) return 'restarted';
    if (!set) return undefined;
    const first = this.version === '';
    this.version = set.version;
    const mine = set.filterSet.filter((f) => f.filter.value === this.filter.value);
    for (const u of mine.flatMap((f) => f.objectSet)) {
      // With one object in the filter every update is its own (whatever MoRef form the server echoes).
      const key = this.targets.length === 1 ? (this.targets[0]?.obj.value ?? u.obj.value) : u.obj.value;
      const of = this.values[key] ?? {};
      this.values[key] = of;
      for (const ch of u.changeSet) {
        if (ch.op === 'assign' || ch.op === 'add') of[ch.name] = ch.val;
        else delete of[ch.name];
      }
    }
    if (first) return 'current';
    return mine.length > 0 ? 'changed' : undefined;
  }

  /** Destroys the filter (after a re-login the old session's filter is gone already). Never rejects. */
  async close(): Promise<void> {
    if (this.c.sessionGeneration !== this.generation) return;
    await destroyPropertyFilter(this.c, this.filter).catch((e: unknown) =>
      this.c.logger.warn('DestroyPropertyFilter failed', { error: String(e) }),
    );
  }
}
