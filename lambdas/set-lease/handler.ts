// SetLease: the lease before each Ready wait (ADR 0004 §2). The first time it starts the lease; after an
// "extend" it lengthens it and rewrites every ready clone's lease marker (instantclone.leaseExpires), so the Reaper, which
// trusts that marker when an execution is gone, does not remove clones a pipeline is still using.
import * as z from 'zod';
import { findRunClones } from '../reaper/find.js';
import { resolveCloneScope } from '../reaper/scope.js';
import { type MoRef, reconfigVmTask } from '../vsphere/index.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { extendLease, type Lease, leaseAction, leaseState, startLease } from '../workflow/lease.js';
import { MARKER_LEASE_EXPIRES } from '../workflow/naming.js';
import { logger } from '../workflow/powertools.js';
import { moRefSchema, runState } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { finishTask } from '../workflow/vsphere-ops.js';
import { type HandlerTools, workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  run: runState,
  fleet: z.array(z.looseObject({ name: z.string(), status: z.string(), moref: moRefSchema.nullish() })),
  lease: leaseState.optional(),
  release: z.unknown().optional(),
});

async function writeLeaseMarkers(
  run: z.infer<typeof input>['run'],
  fleet: z.infer<typeof input>['fleet'],
  expiresAt: string,
  { vcenter, remainingMs, config }: HandlerTools,
): Promise<void> {
  const c = await vcenter();
  const ready = fleet.filter((clone) => clone.status === 'ready');
  // A fanned-out run's parent holds compact records without morefs (ADR 0005): one search by run marker
  // finds them all.
  const found = ready.some((clone) => !clone.moref)
    ? new Map(
        (await findRunClones(c, run.runId, await resolveCloneScope(c, config))).expired.map((vm) => [
          vm.name,
          vm.moref,
        ]),
      )
    : new Map<string, MoRef>();
  const rewrite = async (clone: (typeof ready)[number]): Promise<void> => {
    const moref = clone.moref ?? found.get(clone.name);
    if (!moref) return; // gone: it needs no lease; the teardown will say so
    try {
      const task = await reconfigVmTask(c, moref, {
        extraConfig: [{ key: MARKER_LEASE_EXPIRES, value: expiresAt }],
      });
      await finishTask(c, task, 'reconfigure:lease', remainingMs(), 60_000);
    } catch (error) {
      // A clone that is gone needs no lease; the teardown will say so.
      if (faultNameOf(error) === 'ManagedObjectNotFound') return;
      throw toWorkflowError(error, 'lease', `clone ${clone.name}`);
    }
  };
  // As many at once as the throttle allows reconfigurations, so a 1,000-clone fleet fits the Task's timeout.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ready.length) {
      const clone = ready[next++];
      if (clone) await rewrite(clone);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(ready.length, config.throttle.limits.reconfigure) }, worker),
  );
}

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS, table: tableAccess },
  async (state, tools): Promise<Lease> => {
    const now = new Date();
    const maxLeaseMinutes = tools.config.defaults.maxLeaseMinutes;
    if (state.lease === undefined) return startLease(state.run.leaseSeconds, maxLeaseMinutes, now);
    const action = leaseAction.safeParse(state.release);
    if (!action.success || action.data.action !== 'extend') {
      // Only LeaseAction's "extend" leads here; anything else keeps the lease as it is.
      logger.warn('lease unchanged: not an extend action', { release: JSON.stringify(state.release) });
      return {
        ...state.lease,
        seconds: Math.max(1, Math.ceil((Date.parse(state.lease.expiresAt) - now.getTime()) / 1000)),
      };
    }
    const lease = extendLease(state.lease, action.data.leaseMinutes, now);
    await writeLeaseMarkers(state.run, state.fleet, lease.expiresAt, tools);
    logger.info('lease extended', {
      runId: state.run.runId,
      expiresAt: lease.expiresAt,
      requestedMinutes: action.data.leaseMinutes,
      extensions: lease.extensions,
    });
    return lease;
  },
);
