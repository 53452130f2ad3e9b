// npm run bench: figures only (no assertions), with the machine and its load noted.
//   npm run bench -- [--json FILE] [--quick] [--time-scale 0.2] [--fleet 50] [--concurrency 10]
//                    [--skip-fleet] [--skip-cold] [--skip-peer] [--skip-client]
//   npm run bench -- --only fleet1000 [--json FILE] [--fleet1000-clones 1000]   (just the 1,000-clone fan-out)
//   npm run bench -- --only fleet50 [--json FILE] [--fleet 50] [--concurrency 10] [--time-scale 0.2]
//                    (just the fleet, after one warm-up clone so that its handlers are warm as in the full run)
//   npm run bench -- --only cold [--json FILE]   (just (d): bundles, cold starts and first invocations)

import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runTimes } from '../lambdas/workflow/run-times.js';
import { sourceRefs } from '../lambdas/workflow/source-refs.js';
import { DEFAULT_ASL_PATH } from '../local/runner/asl.js';
import { startPermitStore } from '../local/runner/permit-store.js';
import { quietHandlerLogs } from '../local/runner/quiet.js';
import { loadLocalDefinition } from '../local/runner/run.js';
import { startSimulator } from '../local/simulator/index.js';
import { clientClone } from './client-clone.js';
import { clientColdStart } from './client-cold-start.js';
import { coldStarts, nodeAloneMs } from './cold-start.js';
import { firstInvocations } from './first-invocation.js';
import { benchFleet, type FleetFigures } from './fleet.js';
import { machineLine } from './machine.js';
import { pyvmomiPeer } from './pyvmomi-peer.js';
import { fmtSummary } from './stats.js';
import { benchWorkflow, type WorkflowFigures } from './workflow-runs.js';

const { values } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '0.2' },
    'single-time-scale': { type: 'string', default: '1' },
    fleet: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '10' },
    'skip-fleet': { type: 'boolean', default: false },
    'skip-cold': { type: 'boolean', default: false },
    'skip-peer': { type: 'boolean', default: false },
    'skip-client': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    'fleet1000-clones': { type: 'string', default: '1000' },
    'fleet1000-time-scale': { type: 'string', default: '0.02' },
  },
});
quietHandlerLogs();
const fleetScale = Number(values['time-scale']);
const singleScale = Number(values['single-time-scale']);
const fleet = Number(values.fleet);
const concurrency = Number(values.concurrency);

/**
 * How many clones the teardown Map tears down at once for a request of `requested` MaxConcurrency: its
 * MaxConcurrency, or the request's when it reads it from the input (MaxConcurrencyPath: the run's
 * maxConcurrency); 0 = unbounded.
 */
function teardownConcurrency(requested: number): number {
  const def = loadLocalDefinition() as unknown as { States: Record<string, Record<string, unknown>> };
  const visit = (states: Record<string, Record<string, unknown>>): number | undefined => {
    for (const state of Object.values(states)) {
      const inner = (state.ItemProcessor ?? state.Iterator) as
        | { States?: Record<string, Record<string, unknown>> }
        | undefined;
      if (!inner?.States) continue;
      if (state.Type === 'Map' && 'TeardownClone' in inner.States)
        return state.MaxConcurrencyPath ? requested : Number(state.MaxConcurrency ?? 0);
      const found = visit(inner.States);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(def.States) ?? 0;
}

function printWorkflow(label: string, f: WorkflowFigures): void {
  const wall = f.wallMs / 1000;
  const cp = (f.critical.totalMs * f.timeScale) / 1000;
  console.log(`\n${label}: ${f.status}${f.error ? ` (${f.error})` : ''}, time scale ${f.timeScale}`);
  console.log(
    `  (a) orchestration overhead: ${f.overhead.toFixed(2)}× — wall ${wall.toFixed(2)} s / critical path ${cp.toFixed(2)} s` +
      ` (${(f.critical.totalMs / 1000).toFixed(1)} s unscaled: ${f.critical.formula})`,
  );
  const fanCp = (f.fanOutCritical.totalMs * f.timeScale) / 1000;
  console.log(
    `      against the waves of the workflow's own fan-out: ${f.overheadVsFanOut.toFixed(2)}× — critical path ${fanCp.toFixed(2)} s (${f.fanOutCritical.formula});` +
      ` CPU of this process during the run ${(f.cpuMs / 1000).toFixed(1)} s (${((100 * f.cpuMs) / f.wallMs).toFixed(0)} % of one core)`,
  );
  console.log(
    `  (b) SOAP round trips: ${f.soapCalls} in total, ${f.soapPerClone.toFixed(1)} per clone` +
      ` — ${f.topMethods.map(([m, n]) => `${m} ${n}`).join(', ')}`,
  );
  console.log(
    `  (c) IP detection lag (simulated DHCP lease → first state output carrying the IP, wall ms): ${fmtSummary(f.ipLagMs)}`,
  );
  console.log(
    `  (e) time to ready per clone (its InstantClone entered → IP known) ÷ the model's ideal: ${fmtSummary(f.timeToReadyRatio, '×', 3)}`,
  );
  console.log(
    `  sessions: ${f.logins} Login(s) for ${f.invocations} Task invocations (a warm handler reuses its session)`,
  );
  console.log(`  clones left in the simulator: ${f.leftOver}`);
}

function workflowJson(f: WorkflowFigures) {
  return {
    overhead: f.overhead,
    overheadVsFanOut: f.overheadVsFanOut,
    timeToReadyRatio: f.timeToReadyRatio.median,
    soapPerClone: f.soapPerClone,
    ipLagMsMedian: f.ipLagMs.median,
    clones: f.clones,
    maxConcurrency: f.maxConcurrency,
    timeScale: f.timeScale,
    status: f.status,
    wallMs: f.wallMs,
    criticalPathMs: f.critical.totalMs * f.timeScale,
    fanOutCriticalPathMs: f.fanOutCritical.totalMs * f.timeScale,
    cpuMs: f.cpuMs,
    soapCalls: f.soapCalls,
    logins: f.logins,
    invocations: f.invocations,
    byMethod: Object.fromEntries(f.topMethods),
  };
}

/** The fields of `--json`'s `fleet1000` (issue 11 §3); the 1,000-clone fan-out: slices of 25, MaxConcurrency 100. */
const FLEET1000_KEYS = [
  'clones',
  'ready',
  'leftOver',
  'executions',
  'maxHistoryEvents',
  'maxPayloadBytes',
  'overhead',
  'peakConcurrentOps',
  'soapPerClone',
] as const satisfies readonly (keyof FleetFigures)[];

function fleet1000Json(f: FleetFigures): Pick<FleetFigures, (typeof FLEET1000_KEYS)[number]> {
  return Object.fromEntries(FLEET1000_KEYS.map((k) => [k, f[k]])) as Pick<
    FleetFigures,
    (typeof FLEET1000_KEYS)[number]
  >;
}

async function fleet1000(): Promise<FleetFigures> {
  const clones = Number(values['fleet1000-clones']);
  const scale = Number(values['fleet1000-time-scale']);
  console.log(`\nfleet of ${clones} (fan-out: slices of 25, MaxConcurrency 100), time scale ${scale}:`);
  const f = await benchFleet(clones, 100, 25, scale, (line) => console.log(line));
  console.log(
    `  ${f.ready}/${f.clones} ready, ${f.leftOver} left over; ${f.executions} executions, at most ${f.maxHistoryEvents} history events and ${f.maxPayloadBytes} bytes of state in one`,
  );
  console.log(
    `  wall ${f.wallSeconds.toFixed(1)} s, overhead ${f.overhead.toFixed(2)}× the model's ideal; peak concurrent vCenter operations ${f.peakConcurrentOps}; ${f.soapPerClone.toFixed(1)} SOAP calls per clone; runner peak RSS ${f.peakRssMb} MiB`,
  );
  return f;
}

/** (d): every handler's bundle and cold start, then the first invocation of a fresh process. */
async function coldStartPart(figures: Record<string, unknown>): Promise<void> {
  console.log(
    "\n(d) cold start per handler (esbuild bundle as the CDK stack builds it, fresh node process with the stack's NODE_OPTIONS, 5 runs):",
  );
  const env = { ...process.env, AWS_REGION: 'us-east-1', WORKFLOW_CONFIG: process.env.WORKFLOW_CONFIG ?? '' };
  const nodeAlone = await nodeAloneMs(env);
  console.log(
    `  node alone (nothing imported): process start → ready median ${nodeAlone.median.toFixed(0)} ms`,
  );
  const handlers: Record<string, unknown> = {};
  for (const c of await coldStarts(env)) {
    console.log(
      `  ${c.handler.padEnd(22)} ${c.bundleKb.toFixed(0).padStart(5)} KiB  import ${fmtSummary(c.importMs)} (CPU median ${c.importCpuMs.median.toFixed(0)} ms); process start → ready median ${c.readyMs.median.toFixed(0)} ms`,
    );
    console.log(
      `    by package: ${c.byPackage
        .slice(0, 8)
        .map(([p, b]) => `${p} ${(b / 1024).toFixed(0)}K`)
        .join(', ')}`,
    );
    handlers[c.handler] = {
      bundleBytes: c.bundleBytes,
      coldStartMsMedian: c.readyMs.median,
      importMsMedian: c.importMs.median,
      importCpuMsMedian: c.importCpuMs.median,
      byPackage: Object.fromEntries(c.byPackage),
    };
  }
  figures.handlers = handlers;
  figures.nodeAloneMsMedian = nodeAlone.median;

  const sim = await startSimulator({ timeScale: 0.01 });
  try {
    console.log(
      '  first invocation of a fresh process from its bundle (simulator at time scale 0.01, 3 runs):',
    );
    const first: Record<string, unknown> = {};
    for (const f of await firstInvocations(sim)) {
      console.log(
        `  ${f.handler.padEnd(22)} import median ${f.importMs.median.toFixed(0)} ms + first invocation median ${f.invokeMs.median.toFixed(0)} ms; process start → answered median ${f.readyMs.median.toFixed(0)} ms`,
      );
      first[f.handler] = {
        importMsMedian: f.importMs.median,
        invokeMsMedian: f.invokeMs.median,
        answeredMsMedian: f.readyMs.median,
      };
    }
    figures.firstInvocation = first;
  } finally {
    await sim.stop();
  }
}

console.log(`machine: ${machineLine()}`);
if (values.only === 'fleet1000') {
  const f = await fleet1000();
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ fleet1000: fleet1000Json(f) }, null, 2)}\n`);
    console.log(`  wrote ${values.json}`);
  }
  process.exit(0);
} else if (values.only === 'fleet50') {
  await benchWorkflow(1, concurrency, fleetScale, teardownConcurrency(concurrency));
  const f = await benchWorkflow(fleet, concurrency, fleetScale, teardownConcurrency(concurrency));
  printWorkflow(`fleet of ${fleet} at MaxConcurrency ${concurrency} (after one warm-up clone)`, f);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ fleet50: workflowJson(f) }, null, 2)}\n`);
    console.log(`  wrote ${values.json}`);
  }
  process.exit(0);
} else if (values.only === 'cold') {
  const figures: Record<string, unknown> = { loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))) };
  await coldStartPart(figures);
  figures.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`  wrote ${values.json}`);
  }
  process.exit(0);
} else if (values.only) {
  console.error(`--only: unknown part ${values.only} (known: fleet1000, fleet50, cold)`);
  process.exit(2);
}
console.log('latency model: the simulator defaults (kitchen-vcenter figures), scaled as noted per run');
console.log(
  'overhead = wall time of the whole execution / the critical path the latency model alone implies (× time scale);' +
    " IP lag covers the rest of the refresh script after the lease, Tools' report to vCenter (60 ms modelled), the look at the script after that push and the state transition",
);

const figures: Record<string, unknown> = {
  measuredAt: new Date().toISOString(),
  machine: machineLine(),
  loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
};
const fleets: [string, WorkflowFigures][] = [];

/** Prints a run, keeps its JSON under `key`, and lists it side by side under `short` (if given). */
function report(label: string, key: string, f: WorkflowFigures, short?: string): void {
  printWorkflow(label, f);
  figures[key] = workflowJson(f);
  if (short) fleets.push([short, f]);
}

if (!existsSync(DEFAULT_ASL_PATH)) {
  console.log(`\n(a)-(c) skipped: ${DEFAULT_ASL_PATH} does not exist yet`);
} else {
  const tdc = teardownConcurrency(concurrency);
  // The deployment's permit table, with the learned run times (ADR 0009): empty for the cold run, so that run
  // is a cold container of a deployment that has learned nothing.
  const deployment = await startPermitStore();
  try {
    // The first run in this process is a cold container's: no learned run times, no pooled session.
    report(
      '1 clone, cold handlers (first run in this process, nothing stored)',
      'oneCloneCold',
      await benchWorkflow(1, concurrency, singleScale, tdc, deployment),
    );
    report(
      '1 clone, warm handlers (as a warm Lambda container: the same process ran a clone before)',
      'oneClone',
      await benchWorkflow(1, concurrency, singleScale, tdc, deployment),
      '1',
    );
    // A new container of a deployment that has run before (AWS in steady state: many invocations land in new
    // containers): nothing learned in memory, the two runs above in the store.
    runTimes.forget();
    sourceRefs.forget();
    report(
      '1 clone, cold handlers, the deployment has data (learned run times forgotten, loaded from the store)',
      'oneCloneColdWithData',
      await benchWorkflow(1, concurrency, singleScale, tdc, deployment),
      '1 cold, data',
    );
  } finally {
    await deployment.stop();
  }
  if (!values['skip-fleet']) {
    report(
      `fleet of ${fleet} at MaxConcurrency ${concurrency}`,
      'fleet50',
      await benchWorkflow(fleet, concurrency, fleetScale, tdc),
      `${fleet} at ${concurrency}`,
    );
    if (!values.quick) {
      report(
        'fleet of 200 at MaxConcurrency 40 (the inline Map ceiling)',
        'fleet200',
        await benchWorkflow(200, 40, fleetScale, teardownConcurrency(40)),
        '200 at 40',
      );
    }
  }
  console.log(
    '\nside by side:       overhead  time-to-ready ratio (median)  SOAP/clone  IP lag median (ms)  logins',
  );
  for (const [label, f] of fleets)
    console.log(
      `  ${label.padEnd(16)} ${f.overhead.toFixed(2).padStart(8)}× ${f.timeToReadyRatio.median.toFixed(3).padStart(18)}× ${f.soapPerClone.toFixed(1).padStart(20)} ${f.ipLagMs.median.toFixed(0).padStart(18)} ${String(f.logins).padStart(7)}`,
    );
}

if (!values['skip-peer']) {
  const peer = await pyvmomiPeer(0.1);
  console.log(
    `\npyVmomi peer (test/peers/pyvmomi, ${peer.clones} clones incl. its extra checks, time scale 0.1): ${peer.ok ? 'ok' : `FAILED ${peer.error ?? ''}`};` +
      ` ${peer.soapCalls} SOAP calls, ${peer.soapPerClone.toFixed(1)} per clone — ${peer.topMethods.map(([m, n]) => `${m} ${n}`).join(', ')}`,
  );
  figures.pyvmomi = {
    soapPerClone: peer.soapPerClone,
    soapCalls: peer.soapCalls,
    clones: peer.clones,
    ok: peer.ok,
  };
}

if (existsSync(DEFAULT_ASL_PATH) && !values['skip-fleet'] && !values.quick)
  figures.fleet1000 = fleet1000Json(await fleet1000());

if (!values['skip-cold']) await coldStartPart(figures);

if (!values['skip-client'] && !values.quick) {
  console.log('\nissue 2 — the vSphere client alone against the simulator:');
  const sim = await startSimulator({ timeScale: singleScale });
  try {
    const one = await clientClone(sim, singleScale);
    console.log(
      `  full single-clone workflow: ${one.roundTrips} SOAP round trips, ${one.ms} ms wall at time scale ${singleScale} (IP ${one.ip ?? 'none'})`,
    );
    for (const s of one.steps)
      console.log(
        `    ${s.step.padEnd(58)} ${String(s.roundTrips).padStart(3)} trips ${String(s.ms).padStart(6)} ms`,
      );
    if (!values['skip-cold']) {
      const cold = await clientColdStart(sim);
      console.log(
        `  cold start (fresh node: import + connect = ready): import ${fmtSummary(cold.importMs)}; connect ${fmtSummary(cold.connectMs)}; process start → ready median ${cold.readyMs.median.toFixed(0)} ms`,
      );
    }
    console.log(`  clones left in the simulator: ${sim.clones().length}`);
  } finally {
    await sim.stop();
  }
}

figures.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`\nfigures written to ${values.json}`);
}
