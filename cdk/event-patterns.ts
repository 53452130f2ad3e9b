// The event patterns of the stack's rules, in one place: cdk/constructs/triggers.ts deploys them and the local
// AWS endpoint (local/aws-endpoint/event-bus.ts) routes PutEvents with them, so the two cannot drift.
import { DETAIL_TYPES } from '../lambdas/workflow/aws-names.js';

/** EventBridge's event pattern, keyed as CDK's `EventPattern` (detailType for "detail-type"). */
export interface SharedEventPattern {
  source?: string[];
  detailType?: string[];
  detail?: Record<string, unknown>;
}

/** A pipeline asks for clones → the start function (one execution per event id). */
export const REQUESTED_PATTERN: SharedEventPattern = { detailType: [DETAIL_TYPES.requested] };

/** A pipeline is done → the release function (by runId or executionArn; the function checks the rest). */
export const RELEASE_PATTERN: SharedEventPattern = { detailType: [DETAIL_TYPES.release] };
