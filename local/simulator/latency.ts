// Latency model. Defaults follow kitchen-vcenter's published figures; everything is multiplied by timeScale.

export interface LatencyProfile {
  soapOverhead: number;
  instantClone: number;
  cloneVm: number;
  reconfig: number;
  powerOff: number;
  powerOn: number;
  destroy: number;
  guestProcess: number;
  /** from a network refresh command to the DHCP lease showing in guest.net */
  ipAfterRefresh: number;
  /** how long a blocking DHCP client (dhclient, ipconfig /renew) waits before giving up */
  dhcpTimeout: number;
  guestOpsUnavailable: number;
  /** from Tools sending NIC info (`info update network`) to vCenter pushing guest.net (README "When Tools report") */
  toolsReport: number;
}

export const DEFAULT_LATENCY: LatencyProfile = {
  soapOverhead: 3,
  instantClone: 4300,
  cloneVm: 20000,
  reconfig: 500,
  powerOff: 1000,
  powerOn: 1500,
  destroy: 500,
  guestProcess: 1000,
  ipAfterRefresh: 13700,
  dhcpTimeout: 60000,
  guestOpsUnavailable: 2000,
  toolsReport: 60,
};

export class Latency {
  constructor(
    readonly timeScale: number,
    private readonly profile: LatencyProfile,
  ) {}
  /** scaled milliseconds for a modelled step, with ±10% jitter so concurrent work interleaves */
  ms(step: keyof LatencyProfile, jitter = true): number {
    const base = this.profile[step] * this.timeScale;
    return jitter ? base * (0.9 + Math.random() * 0.2) : base;
  }
  scale(ms: number): number {
    return ms * this.timeScale;
  }
}

/** Timers that die with the simulator. */
export class Scheduler {
  /** each pending timer with the Date.now() time it is due */
  private readonly timers = new Map<NodeJS.Timeout, { due: number; fn: () => void }>();
  at(delayMs: number, fn: () => void): void {
    const delay = Math.max(0, delayMs);
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, delay);
    this.timers.set(t, { due: Date.now() + delay, fn });
  }
  /**
   * Runs, in due order, what is due by now but has not fired: Node's timers run on the event loop's own
   * millisecond clock, a turn late or more, so a call judged by Date.now() (a guest process that has ended)
   * could otherwise miss an effect due no later (what Tools sent at the end of that process).
   */
  runDue(now = Date.now()): void {
    const due = [...this.timers].filter(([, e]) => e.due <= now).sort((a, b) => a[1].due - b[1].due);
    for (const [t, e] of due) {
      if (!this.timers.delete(t)) continue;
      clearTimeout(t);
      e.fn();
    }
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(ms, resolve));
  }
  stop(): void {
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
  }
}
