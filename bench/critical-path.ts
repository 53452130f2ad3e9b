// The time a run would take if orchestration were free: only the simulator's modelled latencies
// (local/simulator/latency.ts, kitchen-vcenter figures), along the longest chain of dependent steps.

import { fanOut } from '../lambdas/workflow/fan-out.js';
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

/**
 * The same, for the waves the workflow's own fan-out makes (lambdas/workflow/fan-out.ts, ADR 0005): slices of
 * `sliceSize` clones, each child running `perSliceConcurrency` at once and `sliceConcurrency` children at once;
 * a child's last wave may be partly empty and the next slice starts only when a child ends. Teardown runs the
 * same slices at the same concurrency. What the run would take if every state cost nothing, given that plan.
 */
export function fanOutCriticalPath(
  clones: number,
  maxConcurrency: number,
  sliceSize: number,
  p: LatencyProfile = DEFAULT_LATENCY,
): CriticalPath {
  const fan = fanOut(clones, sliceSize, maxConcurrency);
  const wavesPerSlice = fan.slices.map((s) => {
    const size = Math.min(fan.sliceSize, clones - s * fan.sliceSize);
    return Math.ceil(size / fan.perSliceConcurrency);
  });
  const waves = Math.ceil(wavesPerSlice.reduce((a, b) => a + b, 0) / fan.sliceConcurrency);
  const provisionOne = p.instantClone + Math.max(p.reconfig, p.guestOpsUnavailable) + p.ipAfterRefresh;
  const teardownOne = p.powerOff + p.destroy;
  return {
    provisionMs: waves * provisionOne,
    teardownMs: waves * teardownOne,
    totalMs: waves * (provisionOne + teardownOne),
    formula:
      `${fan.slices.length} slice(s) of ${fan.sliceSize}, ${fan.perSliceConcurrency} at once in a slice, ${fan.sliceConcurrency} slice(s) at once:` +
      ` ${waves} wave(s) × (provision ${provisionOne} + teardown ${teardownOne}) ms`,
  };
}
