// Ctrl-C (SIGINT) and a CI runner's cancel (SIGTERM) while a verb waits: the verb is told through an AbortSignal,
// so it can stop the run before exiting; a second signal exits at once.
import { EXIT } from './exit-codes.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated };

/** Runs `work` with an AbortSignal that fires on SIGINT/SIGTERM (reason: the signal's name). */
export async function whileInterruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
      controller.abort(name);
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  try {
    return await work(controller.signal);
  } finally {
    for (const off of handlers) off();
  }
}
