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

/**
 * Call with the whole history after each poll (and the fan-out's child histories, whose clone iterations are
 * where the clones are); prints what is new since the last call.
 */
export function progressNarrator(write: (line: string) => void, start = Date.now()) {
  const printed = new Map<string, number>();
  const stamp = (at: number) => `[${((at - start) / 1000).toFixed(1).padStart(6)}s]`;
  return (
    history: readonly HistoryEvent[],
    children: ReadonlyMap<string, readonly HistoryEvent[]> = new Map(),
  ) => {
    narrate('', history, false);
    for (const [name, events] of children) narrate(name, events, true);
  };

  function narrate(key: string, history: readonly HistoryEvent[], child: boolean): void {
    const events = toRunnerEvents(history);
    for (const e of events.slice(printed.get(key) ?? 0)) {
      const st = e.state;
      if (e.type === 'ExecutionFailed' && !child) write(`${stamp(e.timestamp)}  run failed: ${e.Error}`);
      if (!st) continue;
      if (e.index === undefined) {
        if (child) continue; // a child's own steps (plan, summarize): its clones are what matters
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
    printed.set(key, events.length);
  }
}
