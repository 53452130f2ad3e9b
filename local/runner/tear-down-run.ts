// An execution that ends without its own teardown (stopped, aborted, timed out, or failed before FinishRun)
// has no Step Functions catch behind it, and a laptop run has no Reaper either: tear down every clone that
// carries this execution's run marker, with the same routine the stack's TeardownRun Lambda uses on AWS.
import { resolveCloneScope } from '../../lambdas/reaper/scope.js';
import { tearDownRunClones } from '../../lambdas/teardown-run/tear-down-run.js';
import type { WorkflowConfig } from '../../lambdas/workflow/config.js';
import { runIdOf } from '../../lambdas/workflow/naming.js';
import { connectTarget } from './connect-target.js';
import type { VcenterTarget } from './types.js';

export interface RunTeardown {
  destroyed: string[];
  failed: { name: string; error: string }[];
}

/** `remaining` is called with the clones not yet torn down: after the search and after each clone. */
export async function tearDownRun(
  target: VcenterTarget,
  config: WorkflowConfig,
  executionName: string,
  remaining: (names: string[]) => void = () => {},
): Promise<RunTeardown> {
  const c = await connectTarget(target);
  try {
    const scope = await resolveCloneScope(c, config);
    const { destroyed, failed } = await tearDownRunClones(c, runIdOf(executionName), scope, { remaining });
    return { destroyed, failed };
  } finally {
    await c.close().catch(() => undefined);
  }
}
