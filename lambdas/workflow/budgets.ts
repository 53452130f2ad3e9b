// Step Functions quotas a run must fit, checked by ValidateRequest before anything is created (ADR 0005).
// A run fans out into child executions of one slice each; the parent holds one compact record per clone.
import { InvalidRequestError } from './errors.js';
import { HISTORY_EVENTS_QUOTA } from './history-model.js';

export const PAYLOAD_QUOTA_BYTES = 256 * 1024;
/** The share of the history quota a run may plan to use (the worst case assumes every retrier used up). */
export const EVENTS_SHARE = 0.75;
/** The share of the payload quota a run may plan to use (the estimate assumes every clone failed). */
export const PAYLOAD_SHARE = 0.85;

/**
 * Worst-case history events (history-model.ts), derived from the ASL by test/fan-out-budgets.test.ts: one clone
 * iteration in a child with every retrier used up, the fixed part of a child (PlanSlice, the Maps,
 * SummarizeSlice, the execution itself), and the whole parent (its Distributed Maps count only their own events).
 */
export const WORST_EVENTS_PER_CLONE = 298;
export const WORST_CHILD_FIXED_EVENTS = 64;
/** The parent through every state once: one lease, no extension. */
export const WORST_PARENT_EVENTS = 268;
/**
 * Each `extend` loops SetLease → Ready → LeaseAction once more in the parent (ADR 0004): 13 events without
 * retries, this many with every retrier used up. So the parent has room for about 270 extensions in the worst case
 * (1,400 without retries) within 75% of the quota, whatever the fleet size.
 */
export const WORST_EVENTS_PER_EXTENSION = 67;

/**
 * Payload estimates in UTF-8 bytes. Parent: one compact record per clone (name, status, IPv4, short error)
 * plus its copy in the run summary. Child: per clone the plan item with the source's facts and the clone's
 * full record; both with a fixed part for the run, the request and the slice's phase statistics.
 */
export const PARENT_BYTES_PER_CLONE = 150;
/** What all failed clones' error messages may take in the parent together; each gets 24 to 600 characters. */
export const PARENT_MESSAGE_BYTES = 30_000;

/** How many characters of each failed clone's error message the parent keeps for a run of this size. */
export function messageChars(total: number): number {
  return Math.max(24, Math.min(600, Math.floor(PARENT_MESSAGE_BYTES / Math.max(1, total))));
}
export const CHILD_BYTES_PER_CLONE = 2_500;
export const FIXED_BYTES = 16 * 1024;

export interface Budget {
  parentEvents: number;
  childEvents: number;
  parentPayloadBytes: number;
  childPayloadBytes: number;
}

export function estimateBudget(
  total: number,
  sliceSize: number,
  nameLength: number,
  requestBytes: number,
): Budget {
  return {
    parentEvents: WORST_PARENT_EVENTS,
    childEvents: WORST_CHILD_FIXED_EVENTS + sliceSize * WORST_EVENTS_PER_CLONE,
    parentPayloadBytes:
      FIXED_BYTES + requestBytes + total * (PARENT_BYTES_PER_CLONE + nameLength + messageChars(total)),
    childPayloadBytes: FIXED_BYTES + requestBytes + sliceSize * (CHILD_BYTES_PER_CLONE + nameLength),
  };
}

/** Throws InvalidRequest naming the quota a run of this size would cross on AWS. */
export function checkBudget(budget: Budget, total: number, sliceSize: number): void {
  const events = Math.floor(HISTORY_EVENTS_QUOTA * EVENTS_SHARE);
  const bytes = Math.floor(PAYLOAD_QUOTA_BYTES * PAYLOAD_SHARE);
  if (budget.childEvents > events)
    throw new InvalidRequestError(
      `sources: a slice of ${sliceSize} clones may need ${budget.childEvents} history events in its child execution, above ${events} (75% of Step Functions' ${HISTORY_EVENTS_QUOTA} per execution): the operator must lower defaults.sliceSize`,
    );
  if (budget.parentPayloadBytes > bytes)
    throw new InvalidRequestError(
      `sources: ${total} clones need about ${budget.parentPayloadBytes} bytes of state in the parent execution, above ${bytes} (85% of Step Functions' 256 KiB per state): ask for fewer clones per run (split the fleet into several runs)`,
    );
  if (budget.childPayloadBytes > bytes)
    throw new InvalidRequestError(
      `sources: a slice of ${sliceSize} clones needs about ${budget.childPayloadBytes} bytes of state, above ${bytes} (85% of Step Functions' 256 KiB per state): the operator must lower defaults.sliceSize, or send fewer staticIps`,
    );
}
