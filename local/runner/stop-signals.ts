// SIGINT (Ctrl-C) and SIGTERM (CI cancel, `timeout`, `kill`) both stop a local run the same way: the first
// starts the teardown, every later one only says what is still left — exiting then would leave clones running.

export interface StopHandlers {
  first(signal: NodeJS.Signals): void;
  again(signal: NodeJS.Signals): void;
}

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(handlers: StopHandlers): () => void {
  let received = 0;
  const handle = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) handlers.first(signal);
    else handlers.again(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}

/** What a second signal prints while the run is stopping. */
export function stillStopping(signal: NodeJS.Signals, remaining: string[] | undefined): string {
  const left =
    remaining === undefined
      ? 'waiting for running tasks to end, then searching for the clones carrying the run marker'
      : remaining.length > 0
        ? `still to tear down: ${remaining.join(', ')}`
        : 'nothing left to tear down, finishing';
  return `${signal} again: ${left}. Not exiting before the teardown is done (kill -9 would leave clones running).`;
}
