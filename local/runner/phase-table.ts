// The per-phase table kitchen-vcenter prints: n, min, max, avg per phase, here in simulated and wall seconds.

import { type CloneTimeline, PHASE_LABEL, PHASES, type Phase } from './phases.js';

export interface PhaseStats {
  phase: Phase | 'total';
  n: number;
  min: number;
  max: number;
  avg: number;
}

/**
 * Durations in wall ms per phase (only phases that ended well), plus total = first start → last end
 * minus the lease hold (ready → teardown start), so a long lease does not read as slow provisioning.
 */
export function phaseStats(timelines: CloneTimeline[]): PhaseStats[] {
  const rows: PhaseStats[] = [];
  const stats = (phase: PhaseStats['phase'], ms: number[]): PhaseStats => ({
    phase,
    n: ms.length,
    min: ms.length ? Math.min(...ms) : 0,
    max: ms.length ? Math.max(...ms) : 0,
    avg: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0,
  });
  for (const phase of PHASES) {
    const ms = timelines.flatMap((t) =>
      t.spans.filter((s) => s.phase === phase && s.ok).map((s) => s.end - s.start),
    );
    rows.push(stats(phase, ms));
  }
  const totals = timelines
    .filter((t) => t.spans.length > 0)
    .map((t) => {
      const span = Math.max(...t.spans.map((s) => s.end)) - Math.min(...t.spans.map((s) => s.start));
      const teardown = t.spans.find((s) => s.phase === 'teardown');
      const held = t.readyAt !== undefined && teardown ? Math.max(0, teardown.start - t.readyAt) : 0;
      return span - held;
    });
  rows.push(stats('total', totals));
  return rows;
}

/** A text table; simulated seconds = wall seconds ÷ time scale (one set of columns when unscaled). */
export function formatPhaseTable(rows: PhaseStats[], timeScale: number): string {
  const sim = (ms: number) => (ms / 1000 / timeScale).toFixed(1);
  const wall = (ms: number) => (ms / 1000).toFixed(2);
  const header = [
    'phase',
    'n',
    'min sim s',
    'max sim s',
    'avg sim s',
    'min wall s',
    'max wall s',
    'avg wall s',
  ];
  const body = rows.map((r) => [
    r.phase === 'total' ? 'total (excl. lease)' : PHASE_LABEL[r.phase],
    String(r.n),
    sim(r.min),
    sim(r.max),
    sim(r.avg),
    wall(r.min),
    wall(r.max),
    wall(r.avg),
  ]);
  // Unscaled (a real vCenter): one set of columns, in seconds.
  if (timeScale === 1) {
    header.splice(1, 7, 'n', 'min s', 'max s', 'avg s');
    for (const row of body) row.splice(2, 3);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
