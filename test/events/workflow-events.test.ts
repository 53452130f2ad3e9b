// Every event the real state machine puts on the bus, run through the local runner against the simulator,
// parses with its documented schema and carries the documented source and detail-type. Release by run id
// through the real release function is tested against the local AWS endpoint (lambdas/release/handler.test.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventByDetailType } from '../../lambdas/workflow/event-registry.js';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  readyDetail,
  releasedDetail,
  runFailedDetail,
} from '../../lambdas/workflow/events.js';
import type { LocalExecutionResult, RecordedEvent } from '../../local/runner/index.js';
import { TaskTokens } from '../../local/runner/task-tokens.js';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { expectCleanAfter, request, run, simulator } from '../workflow/helpers.js';

interface Entry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
}

/** Step Functions accepts Detail as an object and sends it as a JSON string; accept both. */
const detailOf = (entry: Entry): unknown =>
  typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : entry.Detail;

/** Which schema each putEvents state must satisfy. */
const BY_STATE = {
  Ready: { detailType: DETAIL_TYPES.ready, schema: readyDetail },
  PublishReleased: { detailType: DETAIL_TYPES.released, schema: releasedDetail },
  PublishRunFailed: { detailType: DETAIL_TYPES.runFailed, schema: runFailedDetail },
} as const;

function expectDocumented(recorded: RecordedEvent[]): void {
  for (const call of recorded) {
    const expected = BY_STATE[call.state as keyof typeof BY_STATE];
    expect(expected, `putEvents state ${call.state} is documented`).toBeDefined();
    expect(call.entries).toHaveLength(1);
    for (const entry of call.entries as Entry[]) {
      expect(entry.Source).toBe(EVENT_SOURCE);
      expect(entry.DetailType).toBe(expected?.detailType);
      expect(eventByDetailType(String(entry.DetailType))?.direction).toBe('out');
      const parsed = expected?.schema.safeParse(detailOf(entry));
      expect(parsed?.success, JSON.stringify(parsed?.error?.issues, null, 2)).toBe(true);
    }
  }
}

function details<T>(result: LocalExecutionResult, state: keyof typeof BY_STATE): T[] {
  return result.putEvents
    .filter((e) => e.state === state)
    .flatMap((e) => (e.entries as Entry[]).map((entry) => detailOf(entry) as T));
}

describe('events the workflow emits (local runner + simulator)', () => {
  let sim: RunningSimulator;
  const seen = new Set<string>();
  const record = (result: LocalExecutionResult) => {
    expectDocumented(result.putEvents);
    for (const e of result.putEvents)
      for (const entry of e.entries as Entry[]) seen.add(String(entry.DetailType));
    expectCleanAfter(sim, result);
  };
  beforeAll(async () => {
    sim = await simulator();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('Ready (no task token, sent by AnnounceReady), a release through the task token, then Released', async () => {
    const tokens = new TaskTokens();
    const result = await run(
      sim,
      request({
        sources: [
          { source: 'linux', count: 2 },
          { source: 'windows', count: 1 },
        ],
      }),
      {
        release: { tokens },
        onEvent: (e) => {
          // The token is only in the Ready task's parameters (on AWS: its TaskScheduled history event).
          if (e.kind !== 'task' || e.state !== 'Ready' || e.phase !== 'scheduled') return;
          const token = (e.parameters as { Payload: { taskToken: string } }).Payload.taskToken;
          setImmediate(() =>
            tokens.succeed(token, { action: 'release', releasedBy: 'ci#7', reason: 'done' }),
          );
        },
      },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.putEvents.map((e) => e.state)).toEqual(['Ready', 'PublishReleased']);
    const [ready] = details<ReturnType<typeof readyDetail.parse>>(result, 'Ready');
    expect(ready?.clones.map((c) => c.status)).toEqual(['ready', 'ready', 'ready']);
    expect(ready?.clones.map((c) => (c.status === 'ready' ? c.os : null))).toEqual([
      'linux',
      'linux',
      'windows',
    ]);
    expect(JSON.stringify(result.putEvents[0])).not.toContain('local-token-');
    const [done] = details<ReturnType<typeof releasedDetail.parse>>(result, 'PublishReleased');
    expect(done?.summary).toMatchObject({ lease: 'released', ready: 3 });
    expect(done?.summary.clones.every((c) => c.teardown === 'destroyed')).toBe(true);
    record(result);
  });

  it('minReady below the count with one failed clone: Ready lists the failed clone too', async () => {
    sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    try {
      const result = await run(sim, request({ sources: [{ source: 'linux', count: 2 }], minReady: 1 }));
      expect(result.status).toBe('SUCCEEDED');
      const [ready] = details<ReturnType<typeof readyDetail.parse>>(result, 'Ready');
      expect(ready?.clones.map((c) => c.status).sort()).toEqual(['failed', 'ready']);
      record(result);
    } finally {
      sim.clearFaults();
    }
  });

  it('a lease that runs out: Released with lease "expired"', async () => {
    const result = await run(sim, request({ leaseMinutes: 1 }), { release: 'never' });
    expect(result.status).toBe('SUCCEEDED');
    const [done] = details<ReturnType<typeof releasedDetail.parse>>(result, 'PublishReleased');
    expect(done?.summary.lease).toBe('expired');
    record(result);
  });

  it('no lease: Released only', async () => {
    const result = await run(sim, request({ leaseMinutes: 0 }));
    expect(result.putEvents.map((e) => e.state)).toEqual(['PublishReleased']);
    record(result);
  });

  it('every clone fails: Run Failed with the clones’ error', async () => {
    sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    try {
      const result = await run(sim, request());
      expect(result).toMatchObject({ status: 'FAILED', error: 'HostCapacityExceeded' });
      expect(result.putEvents.map((e) => e.state)).toEqual(['PublishRunFailed']);
      const [failed] = details<ReturnType<typeof runFailedDetail.parse>>(result, 'PublishRunFailed');
      expect(failed?.error.Error).toBe('HostCapacityExceeded');
      expect(failed?.summary.error.name).toBe('HostCapacityExceeded');
      record(result);
    } finally {
      sim.clearFaults();
    }
  });

  it('a source that is not frozen: Run Failed before anything is created', async () => {
    const result = await run(sim, request({ sources: [{ source: 'notFrozen', count: 1 }] }));
    expect(result.error).toBe('SourceNotFrozen');
    record(result);
  });

  it('an invalid request: Run Failed with runId null', async () => {
    const result = await run(sim, request({ sources: [{ source: 'linux', count: 0 }] }));
    expect(result.error).toBe('InvalidRequest');
    const [failed] = details<ReturnType<typeof runFailedDetail.parse>>(result, 'PublishRunFailed');
    expect(failed?.runId).toBeNull();
    record(result);
  });

  it('covered every event the state machine sends', () => {
    expect([...seen].sort()).toEqual(
      [DETAIL_TYPES.ready, DETAIL_TYPES.released, DETAIL_TYPES.runFailed].sort(),
    );
  });
});

describe('the ASL’s putEvents states, statically', () => {
  const asl = JSON.parse(readFileSync('statemachines/instant-clone.asl.json', 'utf8')) as Machine;
  interface Machine {
    States: Record<string, Record<string, unknown>>;
  }
  const putEvents: [string, Record<string, unknown>][] = [];
  const visit = (machine: Machine | undefined): void => {
    for (const [name, state] of Object.entries(machine?.States ?? {})) {
      if (String(state.Resource ?? '').startsWith('arn:aws:states:::events:putEvents'))
        putEvents.push([name, state]);
      visit((state.ItemProcessor ?? state.Iterator) as Machine | undefined);
      for (const branch of (state.Branches as Machine[] | undefined) ?? []) visit(branch);
    }
  };
  visit(asl);

  it('are exactly the documented ones (Ready puts its event through the AnnounceReady function)', () => {
    const byTask = Object.keys(BY_STATE).filter((name) => name !== 'Ready');
    expect(putEvents.map(([name]) => name).sort()).toEqual(byTask.sort());
  });

  it.each(putEvents)('%s sends the documented source, detail-type and detail fields', (name, state) => {
    const expected = BY_STATE[name as keyof typeof BY_STATE];
    const entries = (state.Parameters as { Entries: Entry[] }).Entries;
    expect(entries).toHaveLength(1);
    const entry = entries[0] as Entry;
    expect(entry.Source).toBe(EVENT_SOURCE);
    expect(entry.DetailType).toBe(expected.detailType);
    // Paths the local run cannot reach still put these keys: they must be the schema's, no more, no less.
    const keys = Object.keys(entry.Detail as object).map((k) => k.replace(/\.\$$/, ''));
    expect(keys.sort()).toEqual(Object.keys(expected.schema.shape).sort());
  });
});
