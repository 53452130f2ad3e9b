// An execution's history as the CLI reads it: fetched incrementally (newest first, down to what is already
// known), and turned into the local runner's event shape so its phase table and timeline code serve AWS runs too.
import { GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { ExecutionEvent, JsonValue } from '../local/runner/types.js';
import { call, type Sfn } from './sfn.js';

/** Collects an execution's history; each `poll()` fetches only the events that are new since the last one. */
export class HistoryFollower {
  readonly events: HistoryEvent[] = [];
  private lastId = 0;

  constructor(
    private readonly client: Sfn,
    readonly executionArn: string,
  ) {}

  /** New events, oldest first. */
  async poll(): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    let nextToken: string | undefined;
    paging: do {
      const page = await call('GetExecutionHistory', () =>
        this.client.send(
          new GetExecutionHistoryCommand({
            executionArn: this.executionArn,
            reverseOrder: true,
            maxResults: 1000,
            nextToken,
          }),
        ),
      );
      for (const event of page.events ?? []) {
        if ((event.id ?? 0) <= this.lastId) break paging;
        fresh.push(event);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    fresh.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    this.events.push(...fresh);
    this.lastId = Math.max(this.lastId, ...fresh.map((e) => e.id ?? 0));
    return fresh;
  }
}

const EXECUTION_END = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;

/**
 * A run's history with its fan-out (ADR 0005): the parent's events, and those of every child execution of its
 * Distributed Maps, found as Step Functions lists them (MapRunStarted's mapRunArn → ListExecutions). A child
 * that has ended is not read again.
 */
export class RunFollower {
  readonly parent: HistoryFollower;
  /** child histories by execution ARN */
  readonly children = new Map<string, HistoryFollower>();
  /** Map Runs by ARN: `ended` once the parent recorded its end, `listed` once listed after that */
  private readonly mapRuns = new Map<string, { ended: boolean; listed: boolean }>();

  constructor(
    private readonly client: Sfn,
    executionArn: string,
  ) {
    this.parent = new HistoryFollower(client, executionArn);
  }

  get events(): HistoryEvent[] {
    return this.parent.events;
  }

  async poll(): Promise<HistoryEvent[]> {
    const fresh = await this.parent.poll();
    let current: string | undefined;
    for (const e of this.parent.events) {
      const arn = e.mapRunStartedEventDetails?.mapRunArn;
      if (arn) {
        current = arn;
        if (!this.mapRuns.has(arn)) this.mapRuns.set(arn, { ended: false, listed: false });
      }
      // a Map Run's end follows its start in the parent's history, before the next one starts
      const run = current ? this.mapRuns.get(current) : undefined;
      if (run && /^MapRun(Succeeded|Failed|Aborted)$/.test(String(e.type))) run.ended = true;
    }
    for (const [mapRunArn, run] of this.mapRuns) {
      if (run.listed) continue;
      let nextToken: string | undefined;
      do {
        const page = await call('ListExecutions', () =>
          this.client.send(new ListExecutionsCommand({ mapRunArn, maxResults: 1000, nextToken })),
        );
        for (const x of page.executions ?? []) {
          if (x.executionArn && !this.children.has(x.executionArn))
            this.children.set(x.executionArn, new HistoryFollower(this.client, x.executionArn));
        }
        nextToken = page.nextToken;
      } while (nextToken);
      // once the Map Run has ended, its children are all known
      run.listed = run.ended;
    }
    for (const child of this.children.values()) {
      if (child.events.some((e) => EXECUTION_END.test(String(e.type)))) continue;
      await child.poll();
    }
    return fresh;
  }

  /** Child histories by execution ARN. */
  childHistories(): Map<string, readonly HistoryEvent[]> {
    return new Map([...this.children].map(([name, f]) => [name, f.events]));
  }
}

/** The parent's runner events and every child's (tagged with its name), ordered by time. */
export function runRunnerEvents(
  history: readonly HistoryEvent[],
  children: ReadonlyMap<string, readonly HistoryEvent[]> = new Map(),
): ExecutionEvent[] {
  const all = [
    ...toRunnerEvents(history),
    ...[...children].flatMap(([name, events]) =>
      toRunnerEvents(events).map((e) => ({ ...e, execution: name })),
    ),
  ];
  return all.sort((a, b) => a.timestamp - b.timestamp);
}

const ITERATION_END = /^MapIteration(Succeeded|Failed|Aborted)$/;
const MAP_END = /^MapState(Succeeded|Failed|Aborted|Exited)$/;

function json(text: string | undefined): JsonValue {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** The Map iteration index an event belongs to (undefined: top level), following previousEventId as AWS chains it. */
export function iterationIndexes(events: readonly HistoryEvent[]): Map<number, number | undefined> {
  const byId = new Map(events.map((e) => [e.id ?? 0, e]));
  const index = new Map<number, number | undefined>();
  const of = (event: HistoryEvent): number | undefined => {
    const id = event.id ?? 0;
    if (index.has(id)) return index.get(id);
    let result: number | undefined;
    const type = String(event.type);
    if (type === 'MapIterationStarted') result = event.mapIterationStartedEventDetails?.index;
    else if (ITERATION_END.test(type)) {
      result =
        event.mapIterationSucceededEventDetails?.index ??
        event.mapIterationFailedEventDetails?.index ??
        event.mapIterationAbortedEventDetails?.index;
    } else if (!MAP_END.test(type)) {
      const prev = byId.get(event.previousEventId ?? 0);
      result = prev && !ITERATION_END.test(String(prev.type)) ? of(prev) : undefined;
    }
    index.set(id, result);
    return result;
  };
  for (const e of [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))) of(e);
  return index;
}

/**
 * AWS history → the local runner's ExecutionEvent list (StateEntered/Exited/Failed/Retried with the state's
 * parsed input and output and the Map iteration index), which `cloneTimelines` and the phase table read.
 * A task failure that a Catch handled stays a failure: its TaskStateExited is not turned into StateExited.
 */
export function toRunnerEvents(events: readonly HistoryEvent[]): ExecutionEvent[] {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const indexes = iterationIndexes(sorted);
  const out: ExecutionEvent[] = [];
  /** per iteration: the state entered last, its input, and whether its last task attempt failed */
  const current = new Map<string, { name: string; type: string; input: JsonValue; failed: boolean }>();
  for (const e of sorted) {
    const type = String(e.type);
    const index = indexes.get(e.id ?? 0);
    const key = String(index);
    const timestamp = e.timestamp ? new Date(e.timestamp).getTime() : 0;
    const at = index === undefined ? {} : { index };
    const entered = /^(\w+)StateEntered$/.exec(type);
    const exited = /^(\w+)StateExited$/.exec(type);
    if (entered && e.stateEnteredEventDetails?.name) {
      const state = {
        name: e.stateEnteredEventDetails.name,
        type: entered[1] ?? '',
        input: json(e.stateEnteredEventDetails.input),
      };
      current.set(key, { ...state, failed: false });
      out.push({ type: 'StateEntered', timestamp, state, ...at });
    } else if (exited && e.stateExitedEventDetails?.name) {
      const cur = current.get(key);
      if (cur?.failed && cur.name === e.stateExitedEventDetails.name) continue;
      const state = {
        name: e.stateExitedEventDetails.name,
        type: exited[1] ?? '',
        input: cur?.input ?? null,
        output: json(e.stateExitedEventDetails.output),
      };
      out.push({ type: 'StateExited', timestamp, state, ...at });
    } else if (type === 'TaskFailed' || type === 'TaskTimedOut') {
      const cur = current.get(key);
      if (!cur) continue;
      cur.failed = true;
      const d = e.taskFailedEventDetails ?? e.taskTimedOutEventDetails;
      out.push({
        type: 'StateFailed',
        timestamp,
        state: { name: cur.name, type: cur.type, input: cur.input },
        Error: d?.error ?? 'States.TaskFailed',
        Cause: d?.cause,
        ...at,
      });
    } else if (type === 'TaskScheduled') {
      const cur = current.get(key);
      if (cur?.failed) {
        cur.failed = false;
        out.push({
          type: 'StateRetried',
          timestamp,
          state: { name: cur.name, type: cur.type, input: cur.input },
          ...at,
        });
      }
    } else if (type === 'ExecutionStarted') {
      out.push({ type: 'ExecutionStarted', timestamp, input: json(e.executionStartedEventDetails?.input) });
    } else if (type === 'ExecutionFailed') {
      out.push({
        type: 'ExecutionFailed',
        timestamp,
        Error: e.executionFailedEventDetails?.error ?? 'States.Runtime',
        Cause: e.executionFailedEventDetails?.cause,
      });
    }
  }
  return out;
}
