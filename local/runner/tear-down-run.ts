// An execution that ends without its own teardown (stopped, aborted, timed out, or failed before FinishRun)
// has no Step Functions catch behind it, and a laptop run has no Reaper either: tear down every clone that
// carries this execution's run marker, as the stack's execution-status rule does on AWS.
import { findRunClones } from '../../lambdas/reaper/find.js';
import { tearDown } from '../../lambdas/reaper/reap.js';
import { VsphereClient } from '../../lambdas/vsphere/index.js';
import { runIdOf } from '../../lambdas/workflow/naming.js';
import type { VcenterTarget } from './types.js';

export interface RunTeardown {
  destroyed: string[];
  failed: { name: string; error: string }[];
}

/** `remaining` is called with the clones not yet torn down: after the scan and after each clone. */
export async function tearDownRun(
  target: VcenterTarget,
  executionName: string,
  remaining: (names: string[]) => void = () => {},
): Promise<RunTeardown> {
  const c = await VsphereClient.connect({
    url: target.url,
    username: target.username,
    password: target.password,
    ...(target.insecure ? { insecure: true } : {}),
    ...(target.caPem ? { caPem: target.caPem } : {}),
  });
  const outcome: RunTeardown = { destroyed: [], failed: [] };
  try {
    const { expired: clones } = await findRunClones(c, runIdOf(executionName));
    const left = new Set(clones.map((vm) => vm.name));
    remaining([...left]);
    for (const vm of clones) {
      try {
        await tearDown(c, vm);
        outcome.destroyed.push(vm.name);
      } catch (error) {
        outcome.failed.push({ name: vm.name, error: error instanceof Error ? error.message : String(error) });
      }
      left.delete(vm.name);
      remaining([...left]);
    }
    return outcome;
  } finally {
    await c.close().catch(() => undefined);
  }
}
