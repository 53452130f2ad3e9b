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

  it('covers every index exactly once', () => {
    const f = fanOut(7, 3, 5);
    const covered = f.slices.flatMap((s) => {
      const { first, end } = sliceRange(s, f.sliceSize, 7);
      return Array.from({ length: end - first }, (_, i) => first + i);
    });
    expect(covered).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
