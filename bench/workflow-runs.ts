// (a) orchestration overhead, (b) SOAP round trips per clone, (c) IP detection lag: runs through the
// local runner against a fresh simulator.

import { runLocalWorkflow } from '../local/runner/run.js';
import { startSimulator } from '../local/simulator/index.js';
import { type CriticalPath, criticalPath, idealTimeToReadyMs } from './critical-path.js';
import { ipsSeen } from './ip-lag.js';
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
  /** per clone: (its InstantClone state entered → first state output with its IP) ÷ the model's ideal */
  timeToReadyRatio: Summary;
  /** Lambda invocations (Task states entered, retries included) per Login: sessions reused while warm */
  invocations: number;
  logins: number;
  leftOver: number;
}

export async function benchWorkflow(
  clones: number,
  maxConcurrency: number,
  timeScale: number,
  teardownConcurrency: number,
  /** The permit table (with the learned run times) to use; default: an empty one of the run's own. */
  permits?: { endpoint: string; tableName: string },
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
      ...(permits ? { permits } : {}),
    });
    const wallMs = Date.now() - started;
    const stats = sim.stats();
    const soapCalls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
    const critical = criticalPath(clones, maxConcurrency, teardownConcurrency);
    const seen = ipsSeen(stats.leases, result.events);
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
      ipLagMs: summarize(seen.map((x) => x.seenAt - x.leaseAt)),
      timeToReadyRatio: summarize(
        seen
          .filter((x) => x.requestedAt !== undefined)
          .map((x) => (x.seenAt - (x.requestedAt ?? 0)) / (idealTimeToReadyMs() * timeScale)),
      ),
      invocations: result.events.filter(
        (e) => (e.type === 'StateEntered' && e.state?.type === 'Task') || e.type === 'StateRetried',
      ).length,
      logins: stats.calls.Login ?? 0,
      leftOver: sim.clones().length,
    };
  } finally {
    await sim.stop();
  }
}
