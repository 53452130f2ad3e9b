// Target of the "Instant Clones Release" rule: resumes the execution waiting in its Ready state.
import { SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { releaseDetail } from '../workflow/events.js';

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
  const parsed = releaseDetail.safeParse(event.detail);
  if (!parsed.success) {
    // A malformed event cannot succeed on retry; fail loudly so it lands in the DLQ with the error.
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `Instant Clones Release: detail.${issue?.path.join('.') || 'taskToken'}: ${issue?.message ?? 'invalid'} (docs/events.md)`,
    );
  }
  const { taskToken: token, releasedBy, reason } = parsed.data;
  const output = {
    releasedAt: new Date().toISOString(),
    ...(releasedBy === undefined ? {} : { releasedBy }),
    ...(reason === undefined ? {} : { reason }),
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
