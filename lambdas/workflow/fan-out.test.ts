import { describe, expect, it } from 'vitest';
import { fanOut, sliceRange } from './fan-out.js';

describe('fanOut', () => {
  it('never runs more clones at once than maxConcurrency across all children', () => {
    for (const [total, size, max] of [
      [1000, 25, 10],
      [1000, 25, 100],
      [7, 2, 5],
      [3, 25, 10],
      [50, 4, 1],
    ] as const) {
      const f = fanOut(total, size, max);
      expect(f.sliceConcurrency * f.perSliceConcurrency).toBeLessThanOrEqual(max);
      expect(f.slices).toHaveLength(Math.ceil(total / f.sliceSize));
    }
  });

  it('splits 1,000 clones into 40 slices of 25 and runs 4 children of 25 at MaxConcurrency 100', () => {
    const f = fanOut(1000, 25, 100);
    expect(f).toMatchObject({ sliceSize: 25, sliceConcurrency: 4, perSliceConcurrency: 25 });
    expect(f.slices.at(-1)).toBe(39);
  });

  it('runs slices side by side when that takes fewer waves than one after the other', () => {
    // 50 at 10: two children of 25 at 5 each (5 waves), not one child of 10 after another (3 + 3).
    expect(fanOut(50, 25, 10)).toMatchObject({
      sliceSize: 25,
      sliceConcurrency: 2,
      perSliceConcurrency: 5,
      waves: 5,
    });
    // 200 at 40 (the inline Map ceiling): eight children of 25 at 5, as many waves as the concurrency allows.
    expect(fanOut(200, 25, 40)).toMatchObject({ sliceConcurrency: 8, perSliceConcurrency: 5, waves: 5 });
    // 30 at 10: balanced slices of 15 rather than 25 + 5, so neither child ends half empty.
    expect(fanOut(30, 25, 10)).toMatchObject({
      sliceSize: 15,
      sliceConcurrency: 2,
      perSliceConcurrency: 5,
      waves: 3,
    });
  });

  it('takes no more waves than the ideal when the concurrency divides evenly', () => {
    for (const [total, size, max] of [
      [50, 25, 10],
      [200, 25, 40],
      [1000, 25, 100],
      [1000, 25, 10],
      [100, 25, 20],
    ] as const) {
      expect(fanOut(total, size, max).waves).toBe(Math.ceil(total / max));
    }
  });

  it('covers every index exactly once', () => {
    const f = fanOut(7, 3, 5);
    const covered = f.slices.flatMap((s) => {
      const { first, end } = sliceRange(s, f.sliceSize, 7);
      return Array.from({ length: end - first }, (_, i) => first + i);
    });
    expect(covered).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
