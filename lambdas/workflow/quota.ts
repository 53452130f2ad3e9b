// The per-requester quota: the most clones one requester may hold at once over all its runs. Read through this
// one function only: the requester's request policy (request-policy.ts, selected by requesterId and principal)
// may set `maxClonesHeld`; otherwise the deployment's `defaults.maxClonesHeld`; neither = unlimited.
// ValidateRequest puts the result in the run (run.maxClonesHeld), where ReserveQuota reads it.
import type { WorkflowConfig } from './config.js';
import { type Principal, selectPolicy } from './request-policy.js';

export function maxClonesHeldFor(
  requesterId: string,
  principal: Principal,
  config: Pick<WorkflowConfig, 'requestPolicies' | 'defaults'>,
): number | undefined {
  const policy = config.requestPolicies
    ? selectPolicy(config.requestPolicies, requesterId, principal).policy
    : undefined;
  return policy?.maxClonesHeld ?? config.defaults.maxClonesHeld;
}
