// (a) orchestration overhead, (b) SOAP round trips per clone, (c) IP detection lag: runs through the
// local runner against a fresh simulator.

import { runLocalWorkflow } from '../local/runner/run.js';
import { startSimulator } from '../local/simulator/index.js';
import { type CriticalPath, criticalPath } from './critical-path.js';
import { ipLags } from './ip-lag.js';
import { type Summary, summarize } from './stats.js';

export interface WorkflowFigures {
  clones: number;
  maxConcurrency: number;
  timeScale: number;
  status: string;
  error?: string;
  wallMs: number;
  critical: CriticalPath;
  /** wall ÷ (critical path × time scale) */
  overhead: number;
  soapCalls: number;
  soapPerClone: number;
  topMethods: [string, number][];
  ipLagMs: Summary;
  leftOver: number;
}

export async function benchWorkflow(
  clones: number,
  maxConcurrency: number,
  timeScale: number,
  teardownConcurrency: number,
): Promise<WorkflowFigures> {
  const sim = await startSimulator({ timeScale });
  try {
    const started = Date.now();
    const result = await runLocalWorkflow({
      input: {
        requesterId: 'bench',
        namePrefix: 'bench',
        sources: [{ source: 'linux', count: clones }],
        leaseMinutes: 0,
        maxConcurrency,
      },
      simulator: sim,
      timeScale,
    });
    const wallMs = Date.now() - started;
    const stats = sim.stats();
    const soapCalls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
    const critical = criticalPath(clones, maxConcurrency, teardownConcurrency);
    return {
      clones,
      maxConcurrency,
      timeScale,
      status: result.status,
      ...(result.error ? { error: `${result.error}: ${result.cause?.slice(0, 300)}` } : {}),
      wallMs,
      critical,
      overhead: wallMs / (critical.totalMs * timeScale),
      soapCalls,
      soapPerClone: soapCalls / clones,
      topMethods: Object.entries(stats.calls).sort((a, b) => b[1] - a[1]),
      ipLagMs: summarize(ipLags(stats.leases, result.events)),
      leftOver: sim.clones().length,
    };
  } finally {
    await sim.stop();
  }
}
