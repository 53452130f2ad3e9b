import { SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { release } from './handler.js';

function fakeClient(fail?: Error) {
  const sent: SendTaskSuccessCommand[] = [];
  return {
    sent,
    client: {
      send: async (command: SendTaskSuccessCommand) => {
        sent.push(command);
        if (fail) throw fail;
        return {};
      },
    } as never,
  };
}

describe('release', () => {
  it('sends SendTaskSuccess with the token from the event detail', async () => {
    const { sent, client } = fakeClient();
    const result = await release(
      { 'detail-type': 'Instant Clones Release', detail: { taskToken: 'tok-1', releasedBy: 'ci#42' } },
      client,
    );
    expect(result).toEqual({ released: true });
    expect(sent[0]).toBeInstanceOf(SendTaskSuccessCommand);
    expect(sent[0]?.input.taskToken).toBe('tok-1');
    expect(JSON.parse(sent[0]?.input.output ?? '{}')).toMatchObject({ releasedBy: 'ci#42' });
  });

  it('treats an already released or expired lease as done (at-least-once delivery)', async () => {
    const gone = new TaskDoesNotExist({ message: 'gone', $metadata: {} });
    const late = new TaskTimedOut({ message: 'late', $metadata: {} });
    expect(await release({ detail: { taskToken: 't' } }, fakeClient(gone).client)).toEqual({
      released: false,
      reason: 'TaskDoesNotExist',
    });
    expect(await release({ detail: { taskToken: 't' } }, fakeClient(late).client)).toEqual({
      released: false,
      reason: 'TaskTimedOut',
    });
  });

  it('rejects an event without a token and rethrows other errors (retry, then DLQ)', async () => {
    await expect(release({ detail: {} }, fakeClient().client)).rejects.toThrow(/taskToken/);
    await expect(
      release({ detail: { taskToken: 't' } }, fakeClient(new Error('throttled')).client),
    ).rejects.toThrow('throttled');
  });
});
