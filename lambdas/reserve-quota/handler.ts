// ReserveQuota: before anything is created, reserves the run's clones against its requester's quota
// (run.maxClonesHeld, from maxClonesHeldFor). A run that does not fit waits up to defaults.quotaWaitSeconds for clones to be given back
// (FinishRun releases a run's reservation after teardown), then fails with QuotaExceeded.
import * as z from 'zod';
import { clock } from '../vsphere/clock.js';
import { QuotaExceededError } from '../workflow/errors.js';
import { runState } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({ run: runState });
/** Between looks at the requester's holdings (simulated ms locally: a wait like any other, see clock.ts). */
const POLL_MS = 1_000;

export const handler = taskHandler(
  { input, needs: HANDLER_NEEDS },
  async ({ run }, { config, remainingMs }) => {
    // ValidateRequest resolved the quota (maxClonesHeldFor: the requester's policy, else the defaults)
    const max = run.maxClonesHeld ?? undefined;
    const table = max === undefined ? undefined : tableAccess();
    const holdings = (await table)?.holdings();
    if (max === undefined || !holdings) return { reserved: false };
    if (run.total > max)
      throw new QuotaExceededError(
        `${run.requesterId} may hold at most ${max} clones at once; this run asks for ${run.total}`,
      );
    const expiresAtMs = Date.parse(run.leaseExpires) + config.defaults.provisioningAllowanceMinutes * 60_000;
    const deadline = Date.now() + Math.min(config.defaults.quotaWaitSeconds * 1000, remainingMs());
    for (;;) {
      const held = await holdings.reserve(run.requesterId, run.runId, run.total, max, expiresAtMs);
      if (held === undefined) return { reserved: true };
      if (Date.now() + clock.wallMs(POLL_MS) > deadline)
        throw new QuotaExceededError(
          `${run.requesterId} holds ${held} clones in other runs; ${run.total} more would exceed its quota of ${max}`,
        );
      await clock.sleep(POLL_MS);
    }
  },
);
