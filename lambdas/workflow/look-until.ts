// Waiting for something that ends by itself (a vCenter task, a guest program) by looking at it when data says
// it usually ends, then densely (run-times.ts), so a wait costs one or two round trips instead of a filter's
// four. Things with a push channel fall back to it (WaitForUpdatesEx: no lag, a few calls) when this container
// has no data yet or the dense looks did not find the end.
import { clock } from '../vsphere/index.js';
import { type LookProfile, runTimes } from './run-times.js';

export interface LookUntil<T> {
  /** What is awaited (e.g. "task:VirtualMachine.powerOff"), so its usual time is learned per kind. */
  kind: string;
  profile: LookProfile;
  /** Wall-clock limit (Date.now()); past it the wait throws `timeout()`. */
  deadline: number;
  look: () => Promise<T>;
  ended: (value: T) => boolean;
  /** Whether an ended value is a normal run whose time is worth learning (not an early failure). */
  learn: (value: T) => boolean;
  /** Without data, or after `maxLooks` looks: wait by push for the rest of the time; resolves ended. */
  push?: (timeoutMs: number) => Promise<T>;
  /** Looks before giving up to push (default: unlimited). */
  maxLooks?: number;
  /** The pause before look `i` when there is no data and no push (simulated ms). */
  withoutData?: (i: number) => number;
  timeout: () => Error;
}

export async function lookUntil<T>(w: LookUntil<T>): Promise<T> {
  const started = clock.now();
  const elapsed = () => clock.now() - started;
  const viaPush = async (): Promise<T> => {
    const value = await w.push?.(Math.max(1, w.deadline - Date.now()));
    if (value === undefined) throw w.timeout();
    if (w.learn(value)) runTimes.record(w.kind, { endedMs: elapsed(), exact: true });
    return value;
  };
  // A cold container's first wait of a kind may plan from the deployment's samples (run-time-store.ts).
  await runTimes.ready(w.kind);
  const plan = runTimes.pollPlan(w.kind, w.profile);
  if (!plan && w.push) return viaPush();
  const pauseBefore = plan ?? ((i: number) => w.withoutData?.(i) ?? w.profile.maxBackoffMs);
  let lastRunningMs: number | undefined;
  for (let i = 0; ; i++) {
    if (w.push && i >= (w.maxLooks ?? Number.POSITIVE_INFINITY)) return viaPush();
    const pause = pauseBefore(i, elapsed());
    if (Date.now() + clock.wallMs(pause) > w.deadline) throw w.timeout();
    await clock.sleep(pause);
    const lookedAt = elapsed();
    const value = await w.look();
    if (w.ended(value)) {
      if (w.learn(value)) runTimes.record(w.kind, { lastRunningMs, endedMs: lookedAt });
      return value;
    }
    lastRunningMs = lookedAt;
  }
}
