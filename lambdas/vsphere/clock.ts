// The one clock every handler pause goes through. In AWS it is wall time (scale 1). The local runner sets the
// simulator's time scale, so one simulated second costs `scale` wall seconds in handler sleeps, poll intervals,
// learned run times, grace periods and the maxWaitSeconds of WaitForUpdatesEx alike — otherwise a 1 s poll at
// scale 0.1 would cost 10 simulated s. Overall limits (a Lambda's remaining time, timeouts) stay wall time:
// they are upper bounds, and a scaled one would fire while a loaded machine is merely slow.

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
  /** Simulated milliseconds as wall milliseconds. */
  wallMs(ms: number): number {
    return ms * scale;
  },
  /** A simulated budget in seconds as the whole wall seconds a server-side wait takes (at least 1). */
  wallSeconds(seconds: number): number {
    return Math.max(1, Math.ceil(seconds * scale));
  },
};
