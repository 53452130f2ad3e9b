// Tears down every clone of one run (by run marker, within this deployment's scope). A run that ended without
// its own teardown may still have an InstantClone Lambda running (Lambda goes on after StopExecution), whose
// clone appears later: so the search is repeated until `until` has passed.
import { findRunClones } from '../reaper/find.js';
import { tearDown } from '../reaper/reap.js';
import type { CloneScope } from '../reaper/scope.js';
import type { VsphereClient } from '../vsphere/index.js';

export interface RunTeardownReport {
  runId: string;
  destroyed: string[];
  failed: { name: string; error: string }[];
  /** Searches made (one, plus one per pause while `until` had not passed). */
  searches: number;
}

export interface RunTeardownOptions {
  /** Keep searching for late clones until this time (epoch ms); default: one search. */
  until?: number;
  /** Stop starting new work after this time (epoch ms), e.g. the Lambda's deadline. */
  deadline?: number;
  /** Pause between searches. */
  pauseMs?: number;
  /** Called with the clones not yet torn down, after each search and after each clone. */
  remaining?: (names: string[]) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function tearDownRunClones(
  c: VsphereClient,
  runId: string,
  scope: CloneScope,
  options: RunTeardownOptions = {},
): Promise<RunTeardownReport> {
  const report: RunTeardownReport = { runId, destroyed: [], failed: [], searches: 0 };
  const failedMorefs = new Set<string>();
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  for (;;) {
    report.searches++;
    const { expired } = await findRunClones(c, runId, scope);
    const clones = expired.filter((vm) => !failedMorefs.has(vm.moref.value));
    const left = new Set(clones.map((vm) => vm.name));
    options.remaining?.([...left]);
    for (const vm of clones) {
      if (Date.now() >= deadline) break;
      try {
        await tearDown(c, vm);
        report.destroyed.push(vm.name);
      } catch (error) {
        failedMorefs.add(vm.moref.value);
        report.failed.push({ name: vm.name, error: error instanceof Error ? error.message : String(error) });
      }
      left.delete(vm.name);
      options.remaining?.([...left]);
    }
    const pause = options.pauseMs ?? 30_000;
    if (options.until === undefined || Date.now() >= options.until || Date.now() + pause >= deadline) break;
    await sleep(pause);
  }
  return report;
}
