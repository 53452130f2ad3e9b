// The fleet as a picture: one row per clone, a coloured bar per phase, the held lease in between,
// a time axis in simulated seconds (wall seconds noted) and a legend.

import { type CloneTimeline, PHASE_LABEL, PHASES, type Phase, type SharedSpan } from './phases.js';

export const PHASE_COLOUR: Record<Phase, string> = {
  cloning: '#4e79a7',
  nic: '#f28e2b',
  guestRefresh: '#59a14f',
  ip: '#b07aa1',
  teardown: '#76716d',
};
const HELD = '#d9e6f2';
const SHARED = '#c9c3bd';
const FAILED = '#d62728';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface TimelineOptions {
  title: string;
  timeScale: number;
  /** wall-clock origin (ms); default: the earliest span */
  origin?: number;
  /** steps the whole fleet waits for, drawn on a first row */
  shared?: SharedSpan[];
}

function niceStep(range: number): number {
  const raw = range / 8;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
}

export function timelineSvg(timelines: CloneTimeline[], opts: TimelineOptions): string {
  const shared = opts.shared ?? [];
  const spans = [...timelines.flatMap((t) => t.spans), ...shared];
  const origin = opts.origin ?? Math.min(...spans.map((s) => s.start));
  const endMs = Math.max(...spans.map((s) => s.end), origin + 1);
  const simSeconds = (ms: number) => (ms - origin) / 1000 / opts.timeScale;
  const totalSim = simSeconds(endMs);

  const rowLabel = (t: CloneTimeline) =>
    `${t.label}${t.source ? ` (${t.source})` : ''}${t.error ? ` ✗ ${t.error}` : ''}`;
  const labelW = Math.max(120, 24 + Math.max(...timelines.map((t) => rowLabel(t).length)) * 7);
  const plotW = 760;
  const right = 30;
  const top = 78;
  const rowH = 28;
  const barH = 16;
  const width = labelW + plotW + right;
  const rows = timelines.length + (shared.length ? 1 : 0);
  const first = shared.length ? 1 : 0;
  const height = top + rows * rowH + 58;
  const x = (ms: number) => labelW + (simSeconds(ms) / totalSim) * plotW;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="bold" fill="#222">${esc(opts.title)}</text>`,
  );
  // Legend
  let lx = 16;
  const legend: [string, string][] = [
    ...PHASES.map((p): [string, string] => [PHASE_LABEL[p], PHASE_COLOUR[p]]),
    ['ready, lease held', HELD],
    ['validate + verify', SHARED],
    ['failed step', FAILED],
  ];
  for (const [label, colour] of legend) {
    const stroke =
      colour === FAILED ? ` fill="#fff" stroke="${FAILED}" stroke-width="2"` : ` fill="${colour}"`;
    out.push(`<rect x="${lx}" y="38" width="14" height="12" rx="2"${stroke}/>`);
    out.push(`<text x="${lx + 19}" y="48" fill="#333">${esc(label)}</text>`);
    lx += 19 + label.length * 6.6 + 18;
  }
  // Grid and axis
  const step = niceStep(totalSim);
  const axisY = top + rows * rowH + 6;
  for (let s = 0; s <= totalSim + 1e-9; s += step) {
    const gx = labelW + (s / totalSim) * plotW;
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${axisY}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${gx}" y="${axisY + 16}" text-anchor="middle" fill="#555">${Number(s.toFixed(1))}</text>`,
    );
  }
  out.push(`<line x1="${labelW}" y1="${axisY}" x2="${labelW + plotW}" y2="${axisY}" stroke="#888"/>`);
  const wallTotal = ((endMs - origin) / 1000).toFixed(1);
  out.push(
    `<text x="${labelW + plotW / 2}" y="${axisY + 36}" text-anchor="middle" fill="#333">simulated seconds since start (time scale ${opts.timeScale}: the whole run took ${wallTotal} s of wall time)</text>`,
  );
  // Shared steps
  if (shared.length) {
    out.push(
      `<text x="${labelW - 10}" y="${top + barH - 3}" text-anchor="end" fill="#555" font-style="italic">whole fleet</text>`,
    );
    for (const s of shared) {
      const fill = s.label.startsWith('lease') ? HELD : SHARED;
      const w = Math.max(1.5, x(s.end) - x(s.start));
      out.push(
        `<rect x="${x(s.start)}" y="${top}" width="${w}" height="${barH}" rx="2" fill="${fill}"><title>${esc(s.label)}</title></rect>`,
      );
      if (w > s.label.length * 6.2 + 8) {
        out.push(
          `<text x="${x(s.start) + 5}" y="${top + barH - 4}" font-size="11" fill="#333">${esc(s.label)}</text>`,
        );
      }
    }
  }
  // Rows
  timelines.forEach((t, row) => {
    const i = row + first;
    const y = top + i * rowH;
    if (i % 2 === 1) out.push(`<rect x="0" y="${y - 5}" width="${width}" height="${rowH}" fill="#fafafa"/>`);

    out.push(
      `<text x="${labelW - 10}" y="${y + barH - 3}" text-anchor="end" fill="${t.error ? FAILED : '#222'}">${esc(rowLabel(t))}</text>`,
    );
    const ip = t.spans.find((s) => s.phase === 'ip');
    const teardown = t.spans.find((s) => s.phase === 'teardown');
    if (ip?.ok && teardown && teardown.start > ip.end) {
      out.push(
        `<rect x="${x(ip.end)}" y="${y + 3}" width="${x(teardown.start) - x(ip.end)}" height="${barH - 6}" fill="${HELD}"/>`,
      );
    }
    for (const s of t.spans) {
      const w = Math.max(1.5, x(s.end) - x(s.start));
      const failed = s.ok ? '' : ` stroke="${FAILED}" stroke-width="2"`;
      const tip = `${t.label} ${PHASE_LABEL[s.phase]}: ${(simSeconds(s.end) - simSeconds(s.start)).toFixed(1)} s simulated${s.retries ? `, ${s.retries} retries` : ''}`;
      out.push(
        `<rect x="${x(s.start)}" y="${y}" width="${w}" height="${barH}" rx="2" fill="${PHASE_COLOUR[s.phase]}"${failed}><title>${esc(tip)}</title></rect>`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
