export type {
  DhcpMode,
  FaultRule,
  GuestCredentials,
  MoRefLike,
  RunningSimulator,
  SimStats,
  SimulatorOptions,
  SimVm,
} from './types.js';

import type { RunningSimulator, SimulatorOptions } from './types.js';

export async function startSimulator(_options: SimulatorOptions = {}): Promise<RunningSimulator> {
  throw new Error('startSimulator: not implemented yet');
}
