// Expands a validated request into the run's parameters and one plan item per clone. Pure: the same request
// and execution name always give the same plan, which is what makes InstantClone's retries idempotent.
import type { WorkflowConfig } from './config.js';
import { fanOut } from './fan-out.js';
import { cloneName, runIdOf } from './naming.js';
import type { CloneRequest } from './request.js';
import type { PlanItem, Run } from './states.js';

export type { PlanItem, Run };

export function planRun(
  request: CloneRequest,
  config: WorkflowConfig,
  executionName: string,
  now = new Date(),
): { run: Run; clones: PlanItem[] } {
  const d = config.defaults;
  const runId = runIdOf(executionName);
  const total = request.sources.reduce((n, s) => n + s.count, 0);
  const leaseMinutes = request.leaseMinutes ?? d.leaseMinutes;
  const leaseSeconds = Math.max(1, Math.round(leaseMinutes * 60));
  const fan = fanOut(total, d.sliceSize, request.maxConcurrency ?? d.maxConcurrency);
  const run: Run = {
    runId,
    deploymentId: config.deploymentId,
    executionName,
    requesterId: request.requesterId,
    total,
    minReady: request.minReady ?? total,
    // inside one child; sliceConcurrency children run at once, so the product stays within the request's
    maxConcurrency: fan.perSliceConcurrency,
    leaseSeconds,
    waitForRelease: leaseMinutes > 0,
    leaseExpires: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
    ipTimeoutSeconds: request.ipTimeoutSeconds ?? d.ipTimeoutSeconds,
    folder: request.folder ?? null,
    pool: request.pool ?? null,
    network: request.network ?? null,
    smokeCommand: request.smokeCommand ?? null,
    requestedAt: now.toISOString(),
    sliceSize: fan.sliceSize,
    slices: fan.slices,
    sliceConcurrency: fan.sliceConcurrency,
    maxClonesHeld: d.maxClonesHeld ?? null,
  };
  const perSource = new Map<string, number>();
  const clones: PlanItem[] = [];
  for (const entry of request.sources) {
    const source = config.sources[entry.source];
    if (!source) throw new Error(`unknown source ${entry.source}`); // parseRequest has checked this
    for (let j = 0; j < entry.count; j++) {
      const index = clones.length;
      const nth = perSource.get(entry.source) ?? 0;
      perSource.set(entry.source, nth + 1);
      const address = request.staticIps?.addresses[index];
      clones.push({
        index,
        name: cloneName(request.namePrefix, runId, index, total),
        source: entry.source,
        // Round-robin over the source's paths; VerifySourceFrozen re-places by the hosts' free memory (placement.ts).
        sourcePath: source.paths[nth % source.paths.length] as string,
        os: source.os,
        staticIp:
          request.staticIps && address
            ? {
                address,
                prefixLength: request.staticIps.prefixLength,
                gateway: request.staticIps.gateway,
                dns: request.staticIps.dns ?? [],
              }
            : null,
      });
    }
  }
  return { run, clones };
}
