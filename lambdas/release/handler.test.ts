// The release function against the local AWS endpoint with the real SFN client: by run id, by execution ARN,
// harmless when there is nothing to release, loud when the event is malformed.
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { finished, readyWait, request, useLocalAws } from '../../test/aws-endpoint/helpers.js';
import { executionArnOf, executionNameForKey } from '../workflow/run-ref.js';
import { release } from './handler.js';

describe('release (local AWS endpoint)', () => {
  const t = useLocalAws();
  const deps = () => ({ client: t.sfn, stateMachineArn: t.local.stateMachineArn });

  it.each(['runId', 'executionArn'] as const)(
    'finds the Ready wait by %s and releases it once',
    async (by) => {
      const name = executionNameForKey(`release by ${by}`);
      const started = await t.sfn.send(
        new StartExecutionCommand({ stateMachineArn: t.local.stateMachineArn, name, input: request() }),
      );
      const wait = await readyWait(t.sfn, started.executionArn as string);
      const detail = by === 'runId' ? { runId: wait.runId } : { executionArn: started.executionArn };
      const first = await release({ detail: { ...detail, releasedBy: 'ci#42', reason: 'done' } }, deps());
      expect(first).toEqual({ released: true, runId: wait.runId, executionArn: started.executionArn });
      // At-least-once delivery: the second one finds nothing waiting.
      expect((await release({ detail }, deps())).released).toBe(false);
      const done = await finished(t.sfn, started.executionArn as string);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output ?? '{}').summary.lease).toBe('released');
    },
  );

  it('answers NoSuchRun for an unknown run or another state machine, and rejects a malformed event', async () => {
    expect(await release({ detail: { runId: '0123456789ab' } }, deps())).toMatchObject({
      released: false,
      reason: 'NoSuchRun',
    });
    expect(await release({ detail: { runId: '01234567' } }, deps())).toEqual({
      released: false,
      reason: 'NoSuchRun',
    });
    const foreign = executionArnOf(t.local.stateMachineArn.replace('instant-clone-local', 'other'), 'x');
    expect(await release({ detail: { executionArn: foreign } }, deps())).toEqual({
      released: false,
      reason: 'NoSuchRun',
    });
    await expect(release({ detail: {} }, deps())).rejects.toThrow(/runId/);
    await expect(release({ detail: { taskToken: 'a token' } }, deps())).rejects.toThrow(/runId/);
  });
});
