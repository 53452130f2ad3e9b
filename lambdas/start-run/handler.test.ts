// The start function against the local AWS endpoint with the real SFN client: one execution per EventBridge
// event id, however often the event arrives.
import { DescribeExecutionCommand, ListExecutionsCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { finished, readyWait, request, useLocalAws } from '../../test/aws-endpoint/helpers.js';
import { DETAIL_TYPES } from '../workflow/events.js';
import { executionNameForKey } from '../workflow/run-ref.js';
import { startRun } from './handler.js';

describe('start function (local AWS endpoint)', () => {
  const t = useLocalAws();

  it('delivered twice while running, and again after the run: one execution, the late copy recorded as a duplicate', async () => {
    const deps = { client: t.sfn, stateMachineArn: t.local.stateMachineArn };
    const event = {
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': DETAIL_TYPES.requested,
      account: '111122223333',
      source: 'acme.ci',
      detail: JSON.parse(request()) as unknown,
    };
    const [a, b] = await Promise.all([startRun(event, deps), startRun(event, deps)]);
    expect(a.executionName).toBe(executionNameForKey(`event:${event.id}`));
    expect(b.executionArn).toBe(a.executionArn);
    expect(a.runId).toBe(a.executionName.slice(3));
    // The sender's account and source travel beside the request, where the sender cannot write (request policies).
    const described = await t.sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }));
    expect(JSON.parse(described.input ?? '{}')).toEqual({
      request: event.detail,
      principal: { account: '111122223333', source: 'acme.ci' },
    });
    const listed = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.local.stateMachineArn }));
    expect(listed.executions?.filter((e) => e.name === a.executionName)).toHaveLength(1);

    const wait = await readyWait(t.sfn, a.executionArn as string);
    await t.sfn.send(
      new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: '{"action":"release"}' }),
    );
    await finished(t.sfn, a.executionArn as string);
    expect(await startRun(event, deps)).toEqual({
      executionName: a.executionName,
      runId: a.runId,
      outcome: 'duplicate',
    });
  });

  it('refuses an event without an id', async () => {
    await expect(
      startRun({ detail: {} }, { client: t.sfn, stateMachineArn: t.local.stateMachineArn }),
    ).rejects.toThrow(/no id/);
  });
});
