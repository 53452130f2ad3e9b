// How a run is cut into slices for the Distributed Map (ADR 0005): each slice is one child execution running
// at most `perSliceConcurrency` clones at once, and `sliceConcurrency` children run at once, so that the
// request's maxConcurrency bounds the clones in flight across the whole run. Among the cuts that respect the
// operator's largest slice, the one with the fewest waves of clones wins (waves are what a fleet waits for):
// 50 at 10 runs two slices of 25 side by side at 5 each (5 waves), not one after the other at 10 (3 + 3).

export interface FanOut {
  /** clones per child execution (the last slice may be smaller) */
  sliceSize: number;
  /** slice numbers 0…n-1: the Distributed Maps' items */
  slices: number[];
  /** child executions running at once */
  sliceConcurrency: number;
  /** clones provisioned at once inside one child (the inline Map's MaxConcurrency) */
  perSliceConcurrency: number;
  /** waves of clones the cut implies when every clone takes as long (its critical path in clone times) */
  waves: number;
}

function cut(total: number, largestSlice: number, maxConcurrency: number, childrenAtOnce: number): FanOut {
  const perSliceConcurrency = Math.max(1, Math.floor(maxConcurrency / childrenAtOnce));
  // Rounds of children, each of at most largestSlice clones; sizes balanced so no round ends half empty.
  const rounds = Math.ceil(total / (childrenAtOnce * largestSlice));
  const size = Math.max(1, Math.ceil(total / (childrenAtOnce * rounds)));
  const count = Math.ceil(total / size);
  const sliceConcurrency = Math.min(childrenAtOnce, count);
  return {
    sliceSize: size,
    slices: Array.from({ length: count }, (_, i) => i),
    sliceConcurrency,
    perSliceConcurrency: Math.min(perSliceConcurrency, size),
    waves: Math.ceil(size / perSliceConcurrency) * Math.ceil(count / sliceConcurrency),
  };
}

export function fanOut(total: number, largestSlice: number, maxConcurrency: number): FanOut {
  const n = Math.max(1, total);
  const slice = Math.max(1, largestSlice);
  const limit = Math.max(1, maxConcurrency);
  let best = cut(n, slice, limit, 1);
  for (let childrenAtOnce = 2; childrenAtOnce <= Math.min(limit, n); childrenAtOnce++) {
    const candidate = cut(n, slice, limit, childrenAtOnce);
    // Fewer waves first; then fewer child executions (each costs a start and its own history).
    if (
      candidate.waves < best.waves ||
      (candidate.waves === best.waves && candidate.slices.length < best.slices.length)
    ) {
      best = candidate;
    }
  }
  return best;
}

/** The clone indices [first, end) of one slice. */
export function sliceRange(slice: number, sliceSize: number, total: number): { first: number; end: number } {
  const first = slice * sliceSize;
  return { first, end: Math.min(total, first + sliceSize) };
}
