// The local AWS endpoint driven by the real @aws-sdk/client-sfn and @aws-sdk/client-eventbridge (no mocks):
// the pipeline's calls, Step Functions' idempotency and error rules, StopExecution's teardown, and the bus's
// routing with at-least-once delivery. No clone is left in the simulator after any test.
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidOutput,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, releasedDetail } from '../../lambdas/workflow/events.js';
import { MARKER_LEASE_EXPIRES } from '../../lambdas/workflow/naming.js';
import { currentReadyWait } from '../../lambdas/workflow/ready-wait.js';
import { executionArnOf, executionNameForKey } from '../../lambdas/workflow/run-ref.js';
import { finished, readyWait, request, until, useLocalAws } from './helpers.js';

describe('local AWS endpoint with the real AWS SDK clients', () => {
  // slices of one clone: every two-clone run fans out over two children per Distributed Map
  const t = useLocalAws({ sliceSize: 1 });

  const start = (name: string, input = request()) =>
    t.sfn.send(new StartExecutionCommand({ stateMachineArn: t.local.stateMachineArn, name, input }));

  it('start → history → Ready → extend → release → SUCCEEDED', async () => {
    const name = executionNameForKey('test: extend and release');
    const started = await start(name);
    expect(started.executionArn).toBe(executionArnOf(t.local.stateMachineArn, name));
    expect(started.startDate).toBeInstanceOf(Date);

    const first = await readyWait(t.sfn, started.executionArn as string);
    expect(first.runId).toBe(name.slice(3));
    expect(first.clones).toHaveLength(2);
    for (const clone of first.clones) {
      expect(clone).toMatchObject({ os: 'linux', source: 'linux' });
      expect(clone.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(clone.name).toMatch(new RegExp(`^ci-${first.runId}-0[12]$`));
    }
    // The Ready event went out without the token.
    const ready = t.local.bus.events.find((e) => e['detail-type'] === DETAIL_TYPES.ready);
    expect(ready?.detail).toMatchObject({ runId: first.runId, leaseExpiresAt: first.leaseExpiresAt });
    expect(JSON.stringify(ready)).not.toContain(first.taskToken);

    await t.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: first.taskToken,
        output: JSON.stringify({ action: 'extend', leaseMinutes: 15 }),
      }),
    );
    const second = await until('the extended wait', async () => {
      const w = await readyWait(t.sfn, started.executionArn as string);
      return w.taskToken === first.taskToken ? undefined : w;
    });
    expect(Date.parse(second.leaseExpiresAt) - Date.parse(first.leaseExpiresAt)).toBe(15 * 60_000);
    // The clones' lease marker moved with it, so the Reaper leaves them alone.
    for (const clone of t.local.simulator.clones()) {
      expect(clone.extraConfig[MARKER_LEASE_EXPIRES]).toBe(second.leaseExpiresAt);
    }
    // The first token is spent.
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{"action":"release"}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: second.taskToken, output: 'not json' })),
    ).rejects.toBeInstanceOf(InvalidOutput);
    await t.sfn.send(new SendTaskHeartbeatCommand({ taskToken: second.taskToken }));
    await t.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: second.taskToken,
        output: JSON.stringify({ action: 'release' }),
      }),
    );

    const done = await finished(t.sfn, started.executionArn as string);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      outcome: 'released',
      summary: { lease: 'released', ready: 2 },
    });
    expect(done.stopDate).toBeInstanceOf(Date);

    const history = await t.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1000 }),
    );
    const events = history.events ?? [];
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const entered = events.filter((e) => e.stateEnteredEventDetails?.name === 'Ready');
    expect(entered).toHaveLength(2);
    expect(currentReadyWait(events)).toBeUndefined();
    // Each TaskScheduled follows its own TaskStateEntered (previousEventId), per Map iteration too.
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const e of events.filter((x) => x.type === 'TaskScheduled')) {
      const previous = byId.get(e.previousEventId) as HistoryEvent;
      expect(['TaskStateEntered', 'TaskFailed', 'TaskTimedOut']).toContain(previous.type);
    }
    // The clones ran in the fan-out's children: the parent shows two Map Runs, each child its own history.
    expect(events.filter((e) => e.type === 'MapIterationStarted')).toEqual([]);
    const mapRuns = events
      .filter((e) => e.type === 'MapRunStarted')
      .map((e) => e.mapRunStartedEventDetails?.mapRunArn as string);
    expect(mapRuns).toHaveLength(2);
    expect(mapRuns.map((arn) => arn.split('/')[1]?.split(':')[0])).toEqual(['CloneFleet', 'TeardownFleet']);
    for (const mapRunArn of mapRuns) {
      const children = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions ?? [];
      expect(children.map((c) => c.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      for (const child of children) {
        const h = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: child.executionArn }));
        const entered = (h.events ?? []).map((e) => e.stateEnteredEventDetails?.name).filter(Boolean);
        expect(entered).toContain(mapRunArn.includes('CloneFleet') ? 'InstantClone' : 'TeardownClone');
        expect(h.events?.at(-1)?.type).toBe('ExecutionSucceeded');
      }
    }
    // ListExecutions on the state machine lists runs, not their children
    const runs = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.local.stateMachineArn }));
    expect(runs.executions?.every((e) => !e.executionArn?.includes('/'))).toBe(true);
  });

  it('StopExecution on one clone child fails its Map Run; the whole fleet is still torn down', async () => {
    const started = await start(executionNameForKey('test: stop a child'));
    const history = async () =>
      (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }))).events ?? [];
    const mapRunArn = await until(
      'the clone Map Run',
      async () =>
        (await history()).find((e) => e.type === 'MapRunStarted')?.mapRunStartedEventDetails?.mapRunArn,
    );
    await until('a clone to exist', async () => (t.local.simulator.clones().length > 0 ? true : undefined));
    const [child] = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions ?? [];
    await t.sfn.send(new StopExecutionCommand({ executionArn: child?.executionArn, error: 'Stopped' }));
    const d = await t.sfn.send(new DescribeExecutionCommand({ executionArn: child?.executionArn }));
    expect(d.status).toBe('ABORTED');
    const done = await finished(t.sfn, started.executionArn as string);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.ExceedToleratedFailureThreshold');
    const events = await history();
    expect(events.map((e) => e.type)).toContain('MapRunFailed');
    expect(events.map((e) => e.stateEnteredEventDetails?.name)).toContain('SalvageFleet');
    // afterEach: no clone is left in the simulator
  });

  it('GetExecutionHistory pages with nextToken, in either order', async () => {
    const started = await start(executionNameForKey('test: paging'), request({ leaseMinutes: 0 }));
    await finished(t.sfn, started.executionArn as string);
    const all = await t.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1000 }),
    );
    const paged: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: started.executionArn,
          maxResults: 7,
          reverseOrder: true,
          nextToken,
        }),
      );
      expect((page.events ?? []).length).toBeLessThanOrEqual(7);
      paged.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged.map((e) => e.id)).toEqual((all.events ?? []).map((e) => e.id).reverse());
    const lean = await t.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, includeExecutionData: false }),
    );
    expect(JSON.stringify(lean.events)).not.toContain('"input"');
  });

  it('StartExecution: same name and input → the same execution; other input or a closed run → ExecutionAlreadyExists', async () => {
    const name = executionNameForKey('test: idempotent start');
    const a = await start(name);
    const b = await start(name);
    expect(b.executionArn).toBe(a.executionArn);
    expect(b.startDate?.getTime()).toBe(a.startDate?.getTime());
    await expect(start(name, request({ leaseMinutes: 5 }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    const listed = await t.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: t.local.stateMachineArn, statusFilter: 'RUNNING' }),
    );
    expect(listed.executions?.filter((e) => e.name === name)).toHaveLength(1);

    const wait = await readyWait(t.sfn, a.executionArn as string);
    await t.sfn.send(
      new SendTaskFailureCommand({ taskToken: wait.taskToken, error: 'PipelineGaveUp', cause: 'test' }),
    );
    const done = await finished(t.sfn, a.executionArn as string);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('PipelineGaveUp');
    await expect(start(name)).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('StopExecution ends the run (ABORTED) and its clones are torn down', async () => {
    const started = await start(executionNameForKey('test: stop'));
    await until('a clone to exist', async () => (t.local.simulator.clones().length > 0 ? true : undefined));
    const stopped = await t.sfn.send(
      new StopExecutionCommand({ executionArn: started.executionArn, error: 'Interrupted', cause: 'Ctrl-C' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const d = await t.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Interrupted', cause: 'Ctrl-C' });
    await t.local.executions.idle(); // teardown after the in-flight calls; afterEach checks no clone is left
    const history = await t.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, reverseOrder: true }),
    );
    expect(history.events?.[0]?.type).toBe('ExecutionAborted');
  });

  it('unknown executions and state machines answer as AWS does', async () => {
    await expect(
      t.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(t.local.stateMachineArn, 'nope') }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      t.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: t.local.stateMachineArn.replace('instant-clone-local', 'other'),
          input: request(),
        }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('PutEvents: a Requested event starts exactly one execution although the bus delivers it twice; a Release by runId ends it', async () => {
    const before = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.local.stateMachineArn }));
    const put = await t.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: t.local.eventBusName,
            Source: 'github.com/acme/app',
            DetailType: DETAIL_TYPES.requested,
            Detail: request({ requesterId: 'github.com/acme/app/actions/runs/1' }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const eventId = put.Entries?.[0]?.EventId as string;
    const name = executionNameForKey(`event:${eventId}`);
    await t.local.bus.idle();
    const after = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: t.local.stateMachineArn }));
    const fresh = (after.executions ?? []).filter(
      (e) => !(before.executions ?? []).some((b) => b.executionArn === e.executionArn),
    );
    expect(fresh.map((e) => e.name)).toEqual([name]);

    const wait = await readyWait(t.sfn, fresh[0]?.executionArn as string);
    await t.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: t.local.eventBusName,
            Source: 'github.com/acme/app',
            DetailType: DETAIL_TYPES.release,
            Detail: JSON.stringify({ runId: wait.runId, releasedBy: 'test' }),
          },
        ],
      }),
    );
    const done = await finished(t.sfn, fresh[0]?.executionArn as string);
    expect(done.status).toBe('SUCCEEDED');
    await t.local.executions.idle();
    const released = t.local.bus.events.find(
      (e) =>
        e['detail-type'] === DETAIL_TYPES.released && (e.detail as { runId?: string }).runId === wait.runId,
    );
    expect(releasedDetail.parse(released?.detail).summary.lease).toBe('released');
  });

  it('PutEvents reports entries for an unknown bus or malformed detail as failed', async () => {
    const put = await t.events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'nope', Source: 's', DetailType: DETAIL_TYPES.requested, Detail: '{}' },
          { EventBusName: t.local.eventBusName, Source: 's', DetailType: DETAIL_TYPES.release, Detail: '{' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.Entries?.map((e) => e.ErrorCode)).toEqual(['ResourceNotFoundException', 'MalformedDetail']);
  });
});
