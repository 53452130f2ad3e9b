// npm start: the simulator, a small fleet (3 Linux + 2 Windows clones from two sources) through the
// same ASL the cloud runs, live progress, a per-phase table and a timeline picture.
//   npm start -- [--time-scale 0.1] [--hold-seconds 10]

import './quiet.js';
import { parseArgs } from 'node:util';
import { closeClients } from '../../lambdas/workflow/session.js';
import { startSimulator } from '../simulator/index.js';
import { executionUsageLines } from './execution-usage.js';
import { nonNegativeNumber, positiveNumber } from './numbers.js';
import { progressPrinter } from './progress.js';
import { relativeToRepo, reportRun } from './report.js';
import { runLocalWorkflow } from './run.js';
import { onStopSignals, stillStopping } from './stop-signals.js';
import { ttyProgress } from './tty-progress.js';

const USAGE = 'usage: npm start -- [--time-scale S (above 0, default 0.1)] [--hold-seconds S (default 10)]';
let timeScale: number;
let holdSeconds: number;
try {
  const { values } = parseArgs({
    options: {
      'time-scale': { type: 'string', default: '0.1' },
      'hold-seconds': { type: 'string', default: '10' },
    },
  });
  timeScale = positiveNumber('--time-scale', values['time-scale']);
  holdSeconds = nonNegativeNumber('--hold-seconds', values['hold-seconds']);
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

const request = {
  requesterId: 'local/npm-start',
  namePrefix: 'demo',
  sources: [
    { source: 'linux', count: 3 },
    { source: 'windows', count: 2 },
  ],
  leaseMinutes: 30,
  maxConcurrency: 5,
};

const controller = new AbortController();
let remaining: string[] | undefined;
const removeSignals = onStopSignals({
  first: (signal) => {
    console.log(`\n${signal}: aborting the run, then tearing down its clones and stopping the simulator`);
    controller.abort();
  },
  again: (signal) => console.log(`\n${stillStopping(signal, remaining)}`),
});
const sim = await startSimulator({ timeScale });
console.log(`vCenter simulator at ${sim.url}`);
console.log(
  `time scale ${timeScale}: every modelled vCenter latency (kitchen-vcenter figures: clone ≈ 4.3 s, IP ≈ 13.7 s) ` +
    `runs at ${timeScale}× — 1 s of wall time = ${(1 / timeScale).toFixed(0)} simulated s`,
);
console.log(`fleet: 3 linux + 2 windows clones, MaxConcurrency 5, lease held ${holdSeconds} simulated s\n`);

let exitCode = 0;
try {
  const started = Date.now();
  const printer = progressPrinter({ write: (l) => console.log(l), timeScale, start: started });
  const live =
    process.stdout.isTTY && !process.env.NO_TTY ? ttyProgress(process.stdout, timeScale, started) : undefined;
  const result = await runLocalWorkflow({
    input: request,
    simulator: sim,
    release: { afterMs: holdSeconds * 1000 * timeScale },
    timeScale,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.kind === 'teardown') remaining = e.remaining;
      (live?.onEvent ?? printer)(e);
    },
  });
  live?.stop();
  const wall = (result.stoppedAt - result.startedAt) / 1000;
  console.log(
    `\nexecution ${result.name}: ${result.status} in ${wall.toFixed(1)} s wall (${(wall / timeScale).toFixed(0)} s simulated);` +
      ` importing the handlers took ${((result.startedAt - started) / 1000).toFixed(1)} s before it started`,
  );
  if (result.status !== 'SUCCEEDED') {
    if (result.error) console.log(`  error: ${result.error}\n  cause: ${result.cause}`);
    exitCode = 1;
  }
  if (result.teardown) {
    const { destroyed } = result.teardown;
    console.log(
      `torn down after the run ended: ${destroyed.length ? destroyed.join(', ') : 'nothing was left'}`,
    );
  }
  const report = reportRun(result, {
    timeScale,
    title: `Instant-clone fleet: 3 Linux + 2 Windows clones (simulator, time scale ${timeScale})`,
  });
  console.log(`\nper-phase durations (simulated s = wall s ÷ ${timeScale}):\n${report.table}\n`);
  for (const t of report.failedClones) console.log(`clone ${t.label} failed: ${t.error}`);
  if (report.failedClones.length > 0) exitCode = 1;
  console.log(`timeline picture: ${relativeToRepo(report.svgPath)}`);
  for (const line of executionUsageLines(result.executions)) console.log(line);
  const left = sim.clones();
  console.log(
    `clones left in the simulator: ${left.length}${left.length ? ` (${left.map((v) => v.name).join(', ')})` : ''}`,
  );
  if (left.length > 0) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await closeClients();
  const left = sim.clones().map((v) => v.name);
  if (left.length > 0) console.log(`LEFT in the simulator at exit (gone with it): ${left.join(', ')}`);
  await sim.stop();
  removeSignals();
}
process.exit(exitCode);
