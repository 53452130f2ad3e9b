// When VMware Tools send guest info to vCenter. The guest OS changes its addresses and host name at once; vCenter
// learns of them only when Tools gather: on a periodic poll (open-vm-tools GUESTINFO_POLL_INTERVAL, 30 s,
// `guestinfo.poll-interval` in tools.conf) or, for the network part alone, when the guest runs
// `vmware-toolbox-cmd info update network`. See README.md "When Tools report guest.net and guestOperationsReady".

/** open-vm-tools' default guest-info poll interval (simulated ms, × timeScale). */
export const DEFAULT_GUESTINFO_POLL_MS = 30_000;

/**
 * How far into its poll cycle a VM's Tools were when the simulator started (a frozen source: when it froze),
 * as a fraction of the interval in [0, 1). Deterministic from the VM's name (FNV-1a), so a run is repeatable,
 * and different per VM, as Tools started at different times.
 */
export function pollPhase(name: string): number {
  let h = 0x811c9dc5;
  for (const c of name) {
    h ^= c.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** A VM's poll ticks: `firstAt`, then every `intervalMs`. An interval of 0 is no poll (tools.conf `poll-interval=0`). */
export class PollTicks {
  constructor(
    readonly intervalMs: number,
    readonly firstAt: number,
  ) {}

  /** The first tick at or after t, or undefined when there is no poll. */
  nextAt(t: number): number | undefined {
    if (!(this.intervalMs > 0)) return undefined;
    if (t <= this.firstAt) return this.firstAt;
    return this.firstAt + Math.ceil((t - this.firstAt) / this.intervalMs) * this.intervalMs;
  }

  /** A VM that has been running since `startedAt`, `phase` into its cycle then. */
  static running(intervalMs: number, startedAt: number, phase: number): PollTicks {
    return new PollTicks(intervalMs, startedAt + (1 - phase) * intervalMs);
  }

  /**
   * An instant clone resumes its source's memory, poll timer included: a frozen source's timer stood `phase`
   * into its cycle, so every clone of it gathers first (1 − phase) × interval after its resume; a clone of a
   * running VM keeps that VM's ticks.
   */
  static resumed(intervalMs: number, source: PollTicks, sourceFrozen: boolean, phase: number, at: number) {
    if (!sourceFrozen) return new PollTicks(intervalMs, source.nextAt(at) ?? at);
    return PollTicks.running(intervalMs, at, phase);
  }
}
