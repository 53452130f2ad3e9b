// One property filter on one object, read one long poll at a time, for a caller that does other calls between
// the polls (waitForValues owns its loop; this leaves the loop to the caller). The caller bounds each
// WaitForUpdatesEx and must close() the watch in every path, so a pooled session collects no filters.
import type { VsphereClient } from './client.js';
import { createFilter, destroyPropertyFilter, waitForUpdatesEx } from './property-collector.js';
import type { MoRef } from './types.js';

export class PropertyWatch {
  /** The values seen so far, by property path. */
  values: Record<string, unknown> = {};
  private version = '';

  private constructor(
    private readonly c: VsphereClient,
    private readonly obj: MoRef,
    private readonly paths: string[],
    private filter: MoRef,
    private generation: number,
  ) {}

  static async open(c: VsphereClient, obj: MoRef, paths: string[]): Promise<PropertyWatch> {
    const filter = await createFilter(c, PropertyWatch.spec(obj, paths));
    return new PropertyWatch(c, obj, paths, filter, c.sessionGeneration);
  }

  private static spec(obj: MoRef, paths: string[]) {
    return {
      propSet: [{ type: obj.type, all: false, pathSet: paths }],
      objectSet: [{ obj, skip: false }],
    };
  }

  /**
   * One WaitForUpdatesEx of at most `maxWaitSeconds` (whole wall seconds; 0 only checks): 'current' when it
   * brought the values as they stood when the filter was made (the first poll of a filter), 'changed' when
   * they changed since, undefined when nothing came. A filter lives in its session: after a re-login it is
   * made again and the next poll brings the current values afresh ('current' again), as waitForValues does.
   */
  async next(maxWaitSeconds: number): Promise<'current' | 'changed' | undefined> {
    if (this.c.sessionGeneration !== this.generation) {
      this.filter = await createFilter(this.c, PropertyWatch.spec(this.obj, this.paths));
      this.generation = this.c.sessionGeneration;
      this.version = '';
      this.values = {};
    }
    const generation = this.generation;
    const set = await waitForUpdatesEx(this.c, this.version, { maxWaitSeconds }).catch((e: unknown) => {
      if (this.c.sessionGeneration !== generation) return undefined;
      throw e;
    });
    if (!set || this.c.sessionGeneration !== generation) return undefined;
    const first = this.version === '';
    this.version = set.version;
    const mine = set.filterSet.filter((f) => f.filter.value === this.filter.value);
    for (const u of mine.flatMap((f) => f.objectSet))
      for (const ch of u.changeSet) {
        if (ch.op === 'assign' || ch.op === 'add') this.values[ch.name] = ch.val;
        else delete this.values[ch.name];
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
