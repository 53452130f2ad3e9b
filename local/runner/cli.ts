// The local workflow against any vCenter URL (e.g. a real one over the VPN), without AWS.
// Usage: npm run runner -- --help   (or node --import tsx local/runner/cli.ts)
import './quiet.js';
import { isAbsolute, resolve } from 'node:path';
import { untrustedCertificateCode, untrustedCertificateMessage } from '../../cli/tls-trust.js';
import { closeClients } from '../../lambdas/workflow/session.js';
import { type CliPlan, parseCli, USAGE } from './cli-args.js';
import { connectTarget } from './connect-target.js';
import { executionUsageLines } from './execution-usage.js';
import { progressPrinter } from './progress.js';
import { relativeToRepo, reportRun } from './report.js';
import { runLocalWorkflow } from './run.js';
import { onStopSignals, stillStopping } from './stop-signals.js';
import type { VcenterTarget } from './types.js';

if (process.argv.includes('--help') || process.argv.length <= 2) {
  console.log(USAGE);
  process.exit(process.argv.includes('--help') ? 0 : 2);
}

let plan: CliPlan;
try {
  plan = parseCli(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const target = plan.options.vcenter as VcenterTarget;

const controller = new AbortController();
let remaining: string[] | undefined;
onStopSignals({
  first: (signal) => {
    console.log(`\n${signal}: aborting the run, then tearing down the clones it created`);
    controller.abort();
  },
  again: (signal) => console.log(`\n${stillStopping(signal, remaining)}`),
});

// An untrusted certificate is found before anything is created, with advice that fits it.
try {
  const probe = await connectTarget(target);
  await probe.close().catch(() => undefined);
} catch (error) {
  const code = untrustedCertificateCode(error);
  if (code) {
    console.error(untrustedCertificateMessage(target.url, code));
    process.exit(1);
  }
  // Anything else (login, reachability) is reported by the run itself, with its error name.
}

const started = Date.now();
const printer = progressPrinter({ write: (l) => console.log(l), timeScale: 1, start: started });
const result = await runLocalWorkflow({
  ...plan.options,
  signal: controller.signal,
  onEvent: (e) => {
    if (e.kind === 'teardown') remaining = e.remaining;
    printer(e);
  },
});
console.log(
  `\nexecution ${result.name}: ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (result.error) console.log(`  error: ${result.error}\n  cause: ${result.cause}`);
let left: string[] = [];
if (result.teardown) {
  const { destroyed, failed } = result.teardown;
  console.log(
    `torn down after the run ended: ${destroyed.length ? destroyed.join(', ') : 'nothing was left'}`,
  );
  for (const f of failed) console.log(`  could NOT tear down ${f.name}: ${f.error}`);
  left = failed.map((f) => f.name);
}
await closeClients();
if (result.output !== undefined) console.log(JSON.stringify(result.output, null, 2));
if (result.events.length > 0) {
  const svg = plan.svgName ? (isAbsolute(plan.svgName) ? plan.svgName : resolve(plan.svgName)) : undefined;
  const report = reportRun(result, {
    timeScale: 1,
    title: `Instant-clone fleet against ${new URL(target.url).host}`,
    ...(svg ? { outDir: resolve(svg, '..'), svgName: svg.split('/').pop() } : {}),
  });
  console.log(`\nper-phase durations:\n${report.table}`);
  console.log(`timeline picture: ${relativeToRepo(report.svgPath)}`);
  if (report.failedClones.length > 0) process.exitCode = 1;
}
for (const line of executionUsageLines(result.executions)) console.log(line);
if (left.length > 0) {
  console.log(`\nLEFT in vCenter (delete by hand, or let the Reaper take them): ${left.join(', ')}`);
}
process.exit(result.status === 'SUCCEEDED' && left.length === 0 && process.exitCode !== 1 ? 0 : 1);
