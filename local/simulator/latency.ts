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
  private readonly timers = new Set<NodeJS.Timeout>();
  at(delayMs: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, delayMs),
    );
    this.timers.add(t);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(ms, resolve));
  }
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
