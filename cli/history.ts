// An execution's history as the CLI reads it: fetched incrementally (newest first, down to what is already
// known), and turned into the local runner's event shape so its phase table and timeline code serve AWS runs too.
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
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
