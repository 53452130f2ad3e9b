// The one clock every handler wait goes through. In AWS it is wall time (scale 1). The local runner sets the
// simulator's time scale, so one simulated second costs `scale` wall seconds in handler sleeps, wait budgets and
// the maxWaitSeconds of WaitForUpdatesEx alike — otherwise a 1 s poll at scale 0.1 would cost 10 simulated s.

let scale = 1;

export const clock = {
  get scale(): number {
    return scale;
  },
  /** Local runner only: wall ms per simulated ms. */
  setScale(timeScale: number): void {
    if (!(timeScale > 0)) throw new RangeError(`time scale must be > 0, got ${timeScale}`);
    scale = timeScale;
  },
  /** Simulated milliseconds (only differences mean anything). */
  now(): number {
    return Date.now() / scale;
  },
  /** Sleeps `ms` simulated milliseconds. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms * scale)));
  },
  /** A simulated budget in seconds as the whole wall seconds a server-side wait takes (at least 1). */
  wallSeconds(seconds: number): number {
    return Math.max(1, Math.ceil(seconds * scale));
  },
};
