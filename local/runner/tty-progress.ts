// Live progress on a terminal: one redrawn row per clone (current phase, finished phases with their
// simulated seconds), the top-level state above them. Falls back to progress.ts lines when not a TTY.

import { PHASE_LABEL, PHASE_OF_STATE, type Phase } from './phases.js';
import type { RunnerEvent } from './types.js';

interface Row {
  label: string;
  phase?: Phase;
  since: number;
  done: { phase: Phase; ms: number }[];
  status: 'running' | 'ready' | 'failed';
  note?: string;
  ip?: string;
}

const COLOUR: Record<Phase, number> = { cloning: 34, nic: 33, guestRefresh: 32, ip: 35, teardown: 90 };
const paint = (code: number, s: string) => `\x1b[${code}m${s}\x1b[0m`;

/** The clone's IP in a WaitForIp state's output (`$.ip.ip`), if there. */
export function ipIn(output: unknown): string | undefined {
  const ip = (output as { ip?: { ip?: unknown } } | null)?.ip?.ip;
  return typeof ip === 'string' ? ip : undefined;
}

export function ttyProgress(out: NodeJS.WriteStream, timeScale: number, origin = Date.now()) {
  let start = origin;
  const rows = new Map<string, Row>();
  const order: string[] = [];
  let top = '';
  let currentMap = '';
  let drawn = 0;
  const sim = (ms: number) => `${(ms / 1000 / timeScale).toFixed(1)}s`;

  const row = (key: string, label: string): Row => {
    let r = rows.get(key);
    if (!r) {
      r = { label, since: Date.now(), done: [], status: 'running' };
      rows.set(key, r);
      order.push(key);
    }
    return r;
  };

  const draw = (): void => {
    const lines = [`${paint(1, sim(Date.now() - start).padStart(7))} simulated  ${top}`];
    for (const key of order) {
      const r = rows.get(key);
      if (!r) continue;
      const done = r.done
        .map((d) => paint(COLOUR[d.phase], `${PHASE_LABEL[d.phase]} ${sim(d.ms)}`))
        .join('  ');
      const now =
        r.status === 'running' && r.phase
          ? paint(COLOUR[r.phase], `▶ ${PHASE_LABEL[r.phase]} ${sim(Date.now() - r.since)}`)
          : r.status === 'failed'
            ? paint(31, `✗ ${r.note ?? ''}`)
            : paint(32, r.ip ? `✓ ${r.ip}` : '✓');
      lines.push(`  ${r.label.padEnd(22)} ${done}  ${now}`);
    }
    out.write(`${drawn ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, 100);

  const onEvent = (e: RunnerEvent): void => {
    if (e.kind === 'putEvents')
      top = `event: ${e.event.entries.map((x) => (x as { DetailType?: string }).DetailType).join(', ')}`;
    if (e.kind === 'released') top = `lease released (${e.how})`;
    if (e.kind !== 'execution') return;
    const ev = e.event;
    const st = ev.state;
    if (ev.execution && ev.index === undefined) return; // a child execution's own states
    if (ev.type === 'ExecutionStarted' && ev.index === undefined) start = ev.timestamp;
    if (ev.index === undefined) {
      if (ev.type === 'StateEntered' && st) {
        top = st.name;
        if (st.type === 'Map') currentMap = st.name;
      }
      return;
    }
    if (!st) return;
    const given = (st.input as { clone?: { name?: string } } | null)?.clone?.name;
    const phase = PHASE_OF_STATE[st.name];
    if (!given && !phase) return;
    // Teardown iterations are shown on the clone's row when the clone's name is in their input.
    const key = given && rows.has(given) ? given : `${ev.execution ?? ''}${currentMap}#${ev.index}`;
    const r = row(given ?? key, given ?? `${currentMap} #${ev.index + 1}`);
    if (ev.type === 'StateEntered' && phase && phase !== r.phase) {
      if (r.phase) r.done.push({ phase: r.phase, ms: ev.timestamp - r.since });
      r.phase = phase;
      r.since = ev.timestamp;
      r.status = 'running';
    }
    if (ev.type === 'StateFailed' && phase) r.note = ev.Error;
    const ip = ipIn(st.output);
    if (ev.type === 'StateExited' && ip) r.ip = ip;
    if (ev.type === 'StateExited' && phase && phase === r.phase) {
      r.done.push({ phase, ms: ev.timestamp - r.since });
      r.phase = undefined;
      r.status =
        r.note && phase !== 'teardown'
          ? 'failed'
          : phase === 'ip' || phase === 'teardown'
            ? 'ready'
            : r.status;
    }
  };
  return {
    onEvent,
    stop(): void {
      clearInterval(timer);
      draw();
    },
  };
}
