// An interrupted local run has no Step Functions catch and no Reaper behind it: tear down every clone that
// carries this execution's run marker, so Ctrl-C on a laptop leaves nothing in vCenter.
import { findRunClones } from '../../lambdas/reaper/find.js';
import { tearDown } from '../../lambdas/reaper/reap.js';
import { VsphereClient } from '../../lambdas/vsphere/index.js';
import { runIdOf } from '../../lambdas/workflow/naming.js';
import type { VcenterTarget } from './types.js';

export interface RunTeardown {
  destroyed: string[];
  failed: { name: string; error: string }[];
}

export async function tearDownRun(target: VcenterTarget, executionName: string): Promise<RunTeardown> {
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
    for (const vm of clones) {
      try {
        await tearDown(c, vm);
        outcome.destroyed.push(vm.name);
      } catch (error) {
        outcome.failed.push({ name: vm.name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return outcome;
  } finally {
    await c.close().catch(() => undefined);
  }
}
