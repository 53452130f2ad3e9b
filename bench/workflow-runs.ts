// (a) orchestration overhead, (b) SOAP round trips per clone, (c) IP detection lag: runs through the
// local runner against a fresh simulator.

import { defaultsSchema } from '../lambdas/workflow/config.js';
import { runLocalWorkflow } from '../local/runner/run.js';
import { startSimulator } from '../local/simulator/index.js';
import { type CriticalPath, criticalPath, fanOutCriticalPath, idealTimeToReadyMs } from './critical-path.js';
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
  /** the critical path of the waves the workflow's fan-out makes (slices run one after another) */
  fanOutCritical: CriticalPath;
  /** wall ÷ (fan-out critical path × time scale): what the states cost beyond their plan */
  overheadVsFanOut: number;
  /** CPU time of this process (user + system, all threads) during the run: simulator, runner, handlers, dynalite */
  cpuMs: number;
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

/** Twice what a run of `maxConcurrency` does at once of each kind (guest: refresh and smoke command overlap). */
export function benchThrottleLimits(maxConcurrency: number) {
  const twice = Math.max(8, 2 * maxConcurrency);
  return { clone: twice, reconfigure: twice, guest: 2 * twice, teardown: twice };
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
    const cpuAtStart = process.cpuUsage();
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
      // Limits well above the fleet's concurrency: the figures are the orchestration's against the latency
      // model, not the throttle's (the default 8 clones at once would bound a MaxConcurrency of 10, and a limit
      // equal to the concurrency fills the permit table every wave, so that takers collide on its last slots).
      throttle: { limits: benchThrottleLimits(maxConcurrency) },
      ...(permits ? { permits } : {}),
    });
    const wallMs = Date.now() - started;
    const cpu = process.cpuUsage(cpuAtStart);
    const stats = sim.stats();
    const soapCalls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
    const critical = criticalPath(clones, maxConcurrency, teardownConcurrency);
    const fanOutCritical = fanOutCriticalPath(clones, maxConcurrency, defaultsSchema.parse({}).sliceSize);
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
      fanOutCritical,
      overheadVsFanOut: wallMs / (fanOutCritical.totalMs * timeScale),
      cpuMs: (cpu.user + cpu.system) / 1000,
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
