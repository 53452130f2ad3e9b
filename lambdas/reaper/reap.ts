// Tears leaked clones down, idempotently: PowerOff (already off is fine) then Destroy (already gone is
// fine), bounded per run and by the time left, one VM's failure never stops the others.
import { type VsphereClient, VsphereFault } from '../vsphere/index.js';
import { type TeardownOutcome, tearDownVm } from '../workflow/vm-teardown.js';
import { findExpiredClones, type LeakedVm } from './find.js';
import type { CloneScope } from './scope.js';

export interface ReapOptions {
  now?: number;
  /** Only this deployment's clones, in its clone folders. */
  scope: CloneScope;
  /** Upper bound of VMs torn down in this run; the rest wait for the next run (oldest lease first). */
  maxPerRun: number;
  /** Time after the lease expiry before a clone counts as leaked. */
  allowanceMs: number;
  /** Stop starting teardowns when less than this is left (ms since epoch). */
  deadline?: number;
  /** Per vSphere task. */
  taskTimeoutMs?: number;
}

export interface ReapedVm {
  name: string;
  moref: string;
  runId: string;
  leaseExpires: string;
  outcome: 'destroyed' | 'alreadyGone' | 'failed';
  error?: string;
}

export interface ReapReport {
  scanned: number;
  marked: number;
  expired: number;
  reaped: ReapedVm[];
  failed: ReapedVm[];
  /** Expired clones left for the next run (maxPerRun or time budget). */
  deferred: number;
  unparseable: { name: string; moref: string; leaseExpires: string }[];
}

/** PowerOff + Destroy of one VM (the workflow's own teardown routine); throws only on real failures. */
export function tearDown(
  c: VsphereClient,
  vm: Pick<LeakedVm, 'moref' | 'powerState'>,
  taskTimeoutMs = 120_000,
): Promise<TeardownOutcome> {
  return tearDownVm(c, vm.moref, { powerState: vm.powerState, taskTimeoutMs });
}

export async function reapExpiredClones(c: VsphereClient, options: ReapOptions): Promise<ReapReport> {
  const now = options.now ?? Date.now();
  const scan = await findExpiredClones(c, now, options.allowanceMs, options.scope);
  const report: ReapReport = {
    scanned: scan.scanned,
    marked: scan.marked,
    expired: scan.expired.length,
    reaped: [],
    failed: [],
    deferred: 0,
    unparseable: scan.unparseable,
  };
  const batch = scan.expired.slice(0, options.maxPerRun);
  report.deferred = scan.expired.length - batch.length;
  for (const [i, vm] of batch.entries()) {
    if (options.deadline !== undefined && Date.now() >= options.deadline) {
      report.deferred += batch.length - i;
      break;
    }
    const base = { name: vm.name, moref: vm.moref.value, runId: vm.runId, leaseExpires: vm.leaseExpires };
    try {
      const outcome = await tearDown(c, vm, options.taskTimeoutMs);
      report.reaped.push({ ...base, outcome });
    } catch (error) {
      const message = error instanceof VsphereFault ? error.message : String(error);
      report.failed.push({ ...base, outcome: 'failed', error: message });
      c.logger.error('reaper: teardown failed', { vm: vm.name, moref: vm.moref.value, error: message });
    }
  }
  return report;
}
