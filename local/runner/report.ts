// What npm start and the CLI print after a run: outcome, per-phase table, timeline picture.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './asl.js';
import { formatPhaseTable, phaseStats } from './phase-table.js';
import { type CloneTimeline, cloneTimelines, sharedSpans } from './phases.js';
import { timelineSvg } from './timeline-svg.js';
import type { LocalExecutionResult } from './types.js';

export interface RunReport {
  timelines: CloneTimeline[];
  table: string;
  svgPath: string;
  failedClones: CloneTimeline[];
}

export function reportRun(
  result: LocalExecutionResult,
  opts: { timeScale: number; title: string; svgName?: string; outDir?: string },
): RunReport {
  const timelines = cloneTimelines(result.events);
  const table = formatPhaseTable(phaseStats(timelines), opts.timeScale);
  const outDir = opts.outDir ?? join(REPO_ROOT, 'out');
  mkdirSync(outDir, { recursive: true });
  const svgPath = join(outDir, opts.svgName ?? 'fleet-timeline.svg');
  if (timelines.length > 0) {
    writeFileSync(
      svgPath,
      timelineSvg(timelines, {
        title: opts.title,
        timeScale: opts.timeScale,
        origin: result.startedAt,
        shared: sharedSpans(result.events),
      }),
    );
  }
  return { timelines, table, svgPath, failedClones: timelines.filter((t) => t.error) };
}

export function relativeToRepo(path: string): string {
  return relative(process.cwd(), path) || path;
}
