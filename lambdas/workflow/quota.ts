// The per-requester quota: the most clones one requester may hold at once. Read through this one function
// only, so that requester policies (selected by requester pattern) can supply the value when they land; until
// then it is the deployment's `defaults.maxClonesHeld`.
import type { WorkflowConfig } from './config.js';

export function maxClonesHeldFor(_requesterId: string, config: WorkflowConfig): number | undefined {
  return config.defaults.maxClonesHeld;
}
