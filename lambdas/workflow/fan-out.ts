// How a run is cut into slices for the Distributed Map (ADR 0005): each slice is one child execution running
// at most `perSliceConcurrency` clones at once, and `sliceConcurrency` children run at once, so that the
// request's maxConcurrency bounds the clones in flight across the whole run.

export interface FanOut {
  /** clones per child execution (the last slice may be smaller) */
  sliceSize: number;
  /** slice numbers 0…n-1: the Distributed Maps' items */
  slices: number[];
  /** child executions running at once */
  sliceConcurrency: number;
  /** clones provisioned at once inside one child (the inline Map's MaxConcurrency) */
  perSliceConcurrency: number;
}

export function fanOut(total: number, sliceSize: number, maxConcurrency: number): FanOut {
  const size = Math.max(1, Math.min(sliceSize, total));
  const count = Math.ceil(total / size);
  const perSliceConcurrency = Math.max(1, Math.min(maxConcurrency, size));
  const sliceConcurrency = Math.max(1, Math.min(count, Math.floor(maxConcurrency / perSliceConcurrency)));
  return {
    sliceSize: size,
    slices: Array.from({ length: count }, (_, i) => i),
    sliceConcurrency,
    perSliceConcurrency,
  };
}

/** The clone indices [first, end) of one slice. */
export function sliceRange(slice: number, sliceSize: number, total: number): { first: number; end: number } {
  const first = slice * sliceSize;
  return { first, end: Math.min(total, first + sliceSize) };
}
