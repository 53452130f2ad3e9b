// Live progress for a fleet: one compact line per clone phase transition.

import { PHASE_LABEL, PHASE_OF_STATE } from './phases.js';
import { ipIn } from './tty-progress.js';
import type { RunnerEvent } from './types.js';

export interface ProgressOptions {
  write: (line: string) => void;
  timeScale: number;
  start?: number;
}

/** An onEvent listener that prints `[  12.3s sim]  clone #2  → guest refresh` lines. */
export function progressPrinter(opts: ProgressOptions): (e: RunnerEvent) => void {
  let start = opts.start ?? Date.now();
  const stamp = (at: number) => `[${((at - start) / 1000 / opts.timeScale).toFixed(1).padStart(6)}s sim]`;
  let currentMap = '';
  return (e) => {
    if (e.kind === 'putEvents') {
      const types = e.event.entries.map((x) => (x as { DetailType?: string }).DetailType).join(', ');
      opts.write(
        `${stamp(e.event.at)}  event recorded: ${types}${e.event.taskToken ? ' (waiting for release)' : ''}`,
      );
      return;
    }
    if (e.kind === 'released') return opts.write(`${stamp(Date.now())}  lease released (${e.how})`);
    if (e.kind === 'timeout') return opts.write(`${stamp(Date.now())}  lease timed out`);
    if (e.kind === 'task') return;
    if (e.kind === 'teardown') {
      if (e.phase === 'started')
        opts.write(
          `${stamp(Date.now())}  execution ${e.status}: tearing down the clones carrying its run marker`,
        );
      return;
    }
    if (e.kind === 'childExecution') {
      const u = e.usage;
      return opts.write(
        `${stamp(Date.now())}  child ${u.name} ${u.status}: ${u.historyEvents} history events, largest state ${u.maxPayloadBytes} B${u.error ? ` (${u.error})` : ''}`,
      );
    }
    const ev = e.event;
    const st = ev.state;
    if (ev.execution && ev.index === undefined) return; // a child's own states: summed up when it ends
    if (ev.type === 'ExecutionStarted' && ev.index === undefined) start = ev.timestamp;
    if (ev.index === undefined) {
      if (ev.type === 'StateEntered' && st) {
        if (st.type === 'Map') currentMap = st.name;
        opts.write(`${stamp(ev.timestamp)}  ${st.name}`);
      }
      if (ev.type === 'ExecutionFailed') opts.write(`${stamp(ev.timestamp)}  FAILED ${ev.Error}`);
      return;
    }
    if (!st) return;
    const clone = (st.input as { clone?: { name?: string; source?: string } } | null)?.clone;
    const who = clone?.name
      ? `${clone.name} ${clone.source ? `(${clone.source})` : ''}`.padEnd(28)
      : `${currentMap} #${ev.index + 1}`;
    const phase = PHASE_OF_STATE[st.name];
    const label = phase ? PHASE_LABEL[phase] : st.name;
    if (ev.type === 'StateEntered' && phase) opts.write(`${stamp(ev.timestamp)}    ${who} → ${label}`);
    if (ev.type === 'StateRetried') opts.write(`${stamp(ev.timestamp)}    ${who}   ${label}: retry`);
    if (ev.type === 'StateFailed') opts.write(`${stamp(ev.timestamp)}    ${who}   ${label}: ${ev.Error}`);
    const ip = ev.type === 'StateExited' && phase === 'ip' ? ipIn(st.output) : undefined;
    if (ip) opts.write(`${stamp(ev.timestamp)}    ${who}   ready at ${ip}`);
  };
}
