// Target of the "Instant Clones Release" rule: resumes the execution waiting in its Ready state.
import { SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';

export interface ReleaseEvent {
  'detail-type'?: string;
  detail?: { taskToken?: unknown; releasedBy?: unknown; reason?: unknown };
}

export interface ReleaseResult {
  released: boolean;
  /** Why nothing was released, when `released` is false. */
  reason?: 'TaskDoesNotExist' | 'TaskTimedOut';
}

const sfn = new SFNClient({});

export async function release(
  event: ReleaseEvent,
  client: Pick<SFNClient, 'send'> = sfn,
): Promise<ReleaseResult> {
  const token = event.detail?.taskToken;
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024) {
    // A malformed event cannot succeed on retry; fail loudly so it lands in the DLQ with the error.
    throw new TypeError(
      'Instant Clones Release: detail.taskToken must be a non-empty string (at most 1024 chars)',
    );
  }
  const output = {
    releasedAt: new Date().toISOString(),
    ...(typeof event.detail?.releasedBy === 'string' ? { releasedBy: event.detail.releasedBy } : {}),
    ...(typeof event.detail?.reason === 'string' ? { reason: event.detail.reason } : {}),
  };
  try {
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    return { released: true };
  } catch (error) {
    // Releasing twice (at-least-once delivery, CLI + event) or after the lease ran out is not an error:
    // the execution is already tearing down.
    if (error instanceof TaskDoesNotExist) return { released: false, reason: 'TaskDoesNotExist' };
    if (error instanceof TaskTimedOut) return { released: false, reason: 'TaskTimedOut' };
    throw error;
  }
}

export const handler = async (event: ReleaseEvent): Promise<ReleaseResult> => {
  const result = await release(event);
  console.log(JSON.stringify({ message: 'release', ...result }));
  return result;
};
