// The registry of pipeline events: detail-type, who sends it, its direction, its schema (events.ts) and its
// examples (event-examples.ts). The JSON Schema generator, the docs and the CDK rule tests read it.
import type * as z from 'zod';
import { EXAMPLE_DETAILS } from './event-examples.js';
import {
  DETAIL_TYPES,
  type DetailType,
  readyDetail,
  reapedDetail,
  releaseDetail,
  releasedDetail,
  requestedDetail,
  runFailedDetail,
} from './events.js';

export type EventKey = keyof typeof DETAIL_TYPES;

export interface EventSpec {
  detailType: DetailType;
  /** Who puts it on the bus. */
  sentBy: string;
  /** in: the pipeline sends it and a rule of ours matches it; out: we send it (source EVENT_SOURCE). */
  direction: 'in' | 'out';
  schema: z.ZodType;
  examples: readonly unknown[];
}

export const EVENTS: Record<EventKey, EventSpec> = {
  requested: {
    detailType: DETAIL_TYPES.requested,
    sentBy: 'the pipeline',
    direction: 'in',
    schema: requestedDetail,
    examples: EXAMPLE_DETAILS.requested,
  },
  ready: {
    detailType: DETAIL_TYPES.ready,
    sentBy: 'the state machine (Ready state)',
    direction: 'out',
    schema: readyDetail,
    examples: EXAMPLE_DETAILS.ready,
  },
  release: {
    detailType: DETAIL_TYPES.release,
    sentBy: 'the pipeline',
    direction: 'in',
    schema: releaseDetail,
    examples: EXAMPLE_DETAILS.release,
  },
  released: {
    detailType: DETAIL_TYPES.released,
    sentBy: 'the state machine (PublishReleased state)',
    direction: 'out',
    schema: releasedDetail,
    examples: EXAMPLE_DETAILS.released,
  },
  runFailed: {
    detailType: DETAIL_TYPES.runFailed,
    sentBy: 'the state machine (PublishRunFailed state)',
    direction: 'out',
    schema: runFailedDetail,
    examples: EXAMPLE_DETAILS.runFailed,
  },
  reaped: {
    detailType: DETAIL_TYPES.reaped,
    sentBy: 'the reaper Lambda (scheduled)',
    direction: 'out',
    schema: reapedDetail,
    examples: EXAMPLE_DETAILS.reaped,
  },
};

/** The event spec of a detail-type, or undefined for one we do not document. */
export function eventByDetailType(detailType: string): EventSpec | undefined {
  return Object.values(EVENTS).find((e) => e.detailType === detailType);
}

/** `Instant Clones Ready` → `instant-clones-ready.schema.json` (under docs/events/). */
export function schemaFileName(detailType: string): string {
  return `${detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.schema.json`;
}
