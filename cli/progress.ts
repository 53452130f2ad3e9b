// Human progress on stderr while a verb follows a run: the run's steps, and each clone's phase changes.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { toRunnerEvents } from './history.js';

const PHASE_OF_STATE: Record<string, string> = {
  InstantClone: 'cloning',
  ReconnectNic: 'NIC',
  RefreshGuestNetwork: 'guest refresh',
  WaitForIp: 'IP',
  RunSmokeCommand: 'smoke command',
  DiscardFailedClone: 'discarding',
  TeardownClone: 'teardown',
};

/** Call with the whole history after each poll; prints what is new since the last call. */
export function progressNarrator(write: (line: string) => void, start = Date.now()) {
  let printed = 0;
  const stamp = (at: number) => `[${((at - start) / 1000).toFixed(1).padStart(6)}s]`;
  return (history: readonly HistoryEvent[]) => {
    const events = toRunnerEvents(history);
    for (const e of events.slice(printed)) {
      const st = e.state;
      if (e.type === 'ExecutionFailed') write(`${stamp(e.timestamp)}  run failed: ${e.Error}`);
      if (!st) continue;
      if (e.index === undefined) {
        if (e.type === 'StateEntered' && st.type !== 'Choice' && st.type !== 'Pass') {
          write(`${stamp(e.timestamp)}  ${st.name}`);
        }
        continue;
      }
      const clone = (st.input as { clone?: { name?: string; source?: string } } | null)?.clone;
      const who = clone?.name
        ? `${clone.name}${clone.source ? ` (${clone.source})` : ''}`
        : `#${e.index + 1}`;
      const phase = PHASE_OF_STATE[st.name];
      if (!phase) continue;
      if (e.type === 'StateEntered') write(`${stamp(e.timestamp)}    ${who} → ${phase}`);
      if (e.type === 'StateRetried') write(`${stamp(e.timestamp)}    ${who}   ${phase}: retrying`);
      if (e.type === 'StateFailed') write(`${stamp(e.timestamp)}    ${who}   ${phase} failed: ${e.Error}`);
    }
    printed = events.length;
  };
}
