// AnnounceReady: invoked by the Ready state (lambda:invoke.waitForTaskToken). Puts "Instant Clones Ready" on the
// bus, without the task token (ADR 0004): whoever may end the lease reads the token from the execution history
// under IAM. Only the first Ready of a run announces; an extension is visible in the history (its lease).
import * as z from 'zod';
import { DETAIL_TYPES, EVENT_SOURCE, readyDetail } from '../workflow/events.js';
import { leaseState } from '../workflow/lease.js';
import { logger } from '../workflow/powertools.js';
import { eventTools } from '../workflow/publish.js';
import { runState } from '../workflow/states.js';
import { taskHandler } from '../workflow/task-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({
  eventBusName: z.string().min(1),
  taskToken: z.string().min(1),
  executionArn: z.string(),
  executionName: z.string(),
  run: runState,
  lease: leaseState,
  summary: z.unknown(),
  fleet: z.array(z.unknown()),
});

const options = { input, needs: HANDLER_NEEDS, tools: eventTools };

export const handler = taskHandler(options, async (state, { putEvents }) => {
  if (state.lease.extensions > 0) return { announced: false };
  // Parsed as documented, so a field the docs do not describe cannot reach the bus.
  const detail = readyDetail.parse({
    executionArn: state.executionArn,
    executionName: state.executionName,
    runId: state.run.runId,
    requesterId: state.run.requesterId,
    leaseSeconds: state.lease.seconds,
    leaseExpiresAt: state.lease.expiresAt,
    summary: state.summary,
    clones: state.fleet,
  });
  await putEvents([
    {
      EventBusName: state.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPES.ready,
      Detail: JSON.stringify(detail),
    },
  ]);
  logger.info('fleet announced', { runId: state.run.runId, leaseExpiresAt: state.lease.expiresAt });
  return { announced: true };
});
