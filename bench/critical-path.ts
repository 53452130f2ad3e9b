// The time a run would take if orchestration were free: only the simulator's modelled latencies
// (local/simulator/latency.ts, kitchen-vcenter figures), along the longest chain of dependent steps.

import { DEFAULT_LATENCY, type LatencyProfile } from '../local/simulator/latency.js';

export interface CriticalPath {
  provisionMs: number;
  teardownMs: number;
  totalMs: number;
  formula: string;
}

/**
 * Per clone: InstantClone_Task, then the guest refresh can start once both the NIC reconnect and the
 * post-clone guest-ops blackout are over, then the DHCP lease lands ipAfterRefresh later (the refresh
 * script blocks on it); teardown is PowerOff + Destroy. Clones run in waves of `maxConcurrency`.
 * Unscaled milliseconds; multiply by the time scale for wall time.
 */
export function criticalPath(
  clones: number,
  maxConcurrency: number,
  teardownConcurrency: number,
  p: LatencyProfile = DEFAULT_LATENCY,
): CriticalPath {
  const provisionOne = p.instantClone + Math.max(p.reconfig, p.guestOpsUnavailable) + p.ipAfterRefresh;
  const teardownOne = p.powerOff + p.destroy;
  const waves = Math.ceil(clones / Math.max(1, maxConcurrency));
  const teardownWaves = Math.ceil(clones / Math.max(1, teardownConcurrency || clones));
  const provisionMs = waves * provisionOne;
  const teardownMs = teardownWaves * teardownOne;
  return {
    provisionMs,
    teardownMs,
    totalMs: provisionMs + teardownMs,
    formula:
      `${waves} wave(s) × (clone ${p.instantClone} + max(reconfig ${p.reconfig}, guest-ops blackout ${p.guestOpsUnavailable}) + IP ${p.ipAfterRefresh})` +
      ` + ${teardownWaves} wave(s) × (power off ${p.powerOff} + destroy ${p.destroy}) ms`,
  };
}

/** The model's ideal request → IP known for one clone: clone + max(reconfig, guest-ops blackout) + IP (unscaled ms). */
export function idealTimeToReadyMs(p: LatencyProfile = DEFAULT_LATENCY): number {
  return p.instantClone + Math.max(p.reconfig, p.guestOpsUnavailable) + p.ipAfterRefresh;
}
