// The simulator's contract object: what `npm run sim` prints as its first stdout line (and `npm run local-aws`
// nests under "simulator").
import type { RunningSimulator } from './index.js';

export function simulatorContract(sim: RunningSimulator): Record<string, unknown> {
  return {
    url: sim.url,
    username: sim.username,
    password: sim.password,
    sources: sim.sources,
    guest: sim.guest,
    control: sim.url.replace(/\/sdk$/, '/sim/control'),
  };
}
