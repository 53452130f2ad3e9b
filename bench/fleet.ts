// The fan-out at scale: one run of N clones (default 1,000) through the local runner against a fresh simulator,
// with every execution's history events and largest payload, peak concurrent vCenter operations, SOAP calls
// per clone and the runner's memory.
import { executionUsageLines, largestUsage } from '../local/runner/execution-usage.js';
import { runLocalWorkflow } from '../local/runner/run.js';
import { startSimulator } from '../local/simulator/index.js';
import { criticalPath } from './critical-path.js';

/** The vCenter-wide throttle for the bench: what one vCenter is allowed at once per kind. */
export const THROTTLE_LIMITS = { clone: 25, reconfigure: 25, guest: 50, teardown: 25 };

export interface FleetFigures {
  clones: number;
  ready: number;
  leftOver: number;
  executions: number;
  maxHistoryEvents: number;
  maxPayloadBytes: number;
  overhead: number;
  peakConcurrentOps: number;
  soapPerClone: number;
  wallSeconds: number;
  peakRssMb: number;
  timeScale: number;
  maxConcurrency: number;
  sliceSize: number;
}

export async function benchFleet(
  clones: number,
  maxConcurrency: number,
  sliceSize: number,
  timeScale: number,
  write: (line: string) => void,
): Promise<FleetFigures> {
  const sim = await startSimulator({ timeScale });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  try {
    const started = Date.now();
    let done = 0;
    const result = await runLocalWorkflow({
      input: {
        requesterId: 'bench',
        namePrefix: 'fleet',
        sources: [{ source: 'linux', count: clones }],
        leaseMinutes: 0,
        maxConcurrency,
      },
      simulator: sim,
      timeScale,
      defaults: { sliceSize, maxConcurrency },
      throttle: { limits: THROTTLE_LIMITS, waitSeconds: 600 },
      onEvent: (e) => {
        if (e.kind === 'childExecution' && ++done % 10 === 0)
          write(`  … ${done} child executions done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      },
    });
    const wallMs = Date.now() - started;
    const stats = sim.stats();
    const soapCalls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
    for (const line of executionUsageLines(result.executions)) write(line);
    write(
      `  peak concurrent vCenter operations by kind: ${JSON.stringify(stats.maxConcurrentByKind)} (throttle limits ${JSON.stringify(THROTTLE_LIMITS)})`,
    );
    if (result.error) write(`  run ${result.status}: ${result.error} ${result.cause?.slice(0, 300) ?? ''}`);
    const summary = (result.output as { summary?: { ready?: number } } | undefined)?.summary;
    const critical = criticalPath(clones, maxConcurrency, maxConcurrency);
    return {
      clones,
      ready: summary?.ready ?? 0,
      leftOver: sim.clones().length,
      executions: result.executions.length,
      ...largestUsage(result.executions),
      overhead: wallMs / (critical.totalMs * timeScale),
      peakConcurrentOps: Math.max(0, ...Object.values(stats.maxConcurrentByKind)),
      soapPerClone: soapCalls / clones,
      wallSeconds: wallMs / 1000,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      timeScale,
      maxConcurrency,
      sliceSize,
    };
  } finally {
    clearInterval(sampler);
    await sim.stop();
  }
}
