import { buildVcsim, vcsimUnavailable } from './vcsim.js';

// Builds the vcsim peer once, before any test file starts: two test files building it at once on a loaded
// 2-core machine ran past their 120 s hook timeout. Where vcsim cannot be built, the peer tests say why.
export default function setup(): void {
  if (vcsimUnavailable() === undefined) buildVcsim();
}
