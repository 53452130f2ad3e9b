// The local workflow against any vCenter URL (e.g. a real one over the VPN), without AWS.
// Usage: npx tsx local/runner/cli.ts --help

import { isAbsolute, resolve } from 'node:path';
import { closeClients } from '../../lambdas/workflow/session.js';
import { parseCli, USAGE } from './cli-args.js';
import { executionUsageLines } from './execution-usage.js';
import { progressPrinter } from './progress.js';
import { quietHandlerLogs } from './quiet.js';
import { relativeToRepo, reportRun } from './report.js';
import { runLocalWorkflow } from './run.js';
import { tearDownRun } from './tear-down-run.js';

if (process.argv.includes('--help') || process.argv.length <= 2) {
  console.log(USAGE);
  process.exit(process.argv.includes('--help') ? 0 : 2);
}
quietHandlerLogs();

let plan: ReturnType<typeof parseCli>;
try {
  plan = parseCli(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const started = Date.now();
const controller = new AbortController();
process.once('SIGINT', () => {
  console.log('\ninterrupted: aborting, then tearing down the clones this run created');
  controller.abort();
});
const result = await runLocalWorkflow({
  ...plan.options,
  signal: controller.signal,
  onEvent: progressPrinter({ write: (l) => console.log(l), timeScale: 1, start: started }),
});
console.log(
  `\nexecution ${result.name}: ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (result.error) console.log(`  error: ${result.error}\n  cause: ${result.cause}`);
if (result.status === 'ABORTED' && plan.options.vcenter) {
  const { destroyed, failed } = await tearDownRun(plan.options.vcenter, result.name);
  console.log(
    `torn down after the interrupt: ${destroyed.length ? destroyed.join(', ') : 'nothing was left'}`,
  );
  for (const f of failed) console.log(`  could NOT tear down ${f.name}: ${f.error} — delete it by hand`);
}
await closeClients();
if (result.output !== undefined) console.log(JSON.stringify(result.output, null, 2));
const svg = plan.svgName ? (isAbsolute(plan.svgName) ? plan.svgName : resolve(plan.svgName)) : undefined;
const report = reportRun(result, {
  timeScale: 1,
  title: `Instant-clone fleet against ${new URL(String(plan.options.vcenter?.url)).host}`,
  ...(svg ? { outDir: resolve(svg, '..'), svgName: svg.split('/').pop() } : {}),
});
console.log(`\nper-phase durations:\n${report.table}`);
console.log(`timeline picture: ${relativeToRepo(report.svgPath)}`);
for (const line of executionUsageLines(result.executions)) console.log(line);
process.exit(result.status === 'SUCCEEDED' && report.failedClones.length === 0 ? 0 : 1);
