// Turns the local runner's events into Step Functions execution history events, shaped as GetExecutionHistory
// returns them (ADR 0004 §5): `<Type>StateEntered/Exited`, `Map*`, `TaskScheduled`…`TaskSucceeded`,
// `Execution*`. `previousEventId` links each event to the previous one of its Map iteration (or the top level).
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionEvent, JsonValue, RunnerEvent } from '../runner/index.js';

export const REGION = 'us-east-1';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/instant-clone-local';

type Details = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'>;
/** A history event as the JSON 1.0 wire carries it (timestamp in epoch seconds). */
export type WireHistoryEvent = Details & {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
};

const text = (v: JsonValue | undefined): string => JSON.stringify(v ?? null);
const TOP = 'top';

export class HistoryRecorder {
  readonly events: WireHistoryEvent[] = [];
  private readonly lastInLane = new Map<string, number>();
  /** lanes of Task states entered (or retried) whose attempt has not been scheduled yet, per state name */
  private readonly waitingTasks = new Map<string, string[]>();
  private readonly laneOfAttempt = new Map<number, string>();
  private readonly taskResource = new Map<number, { resourceType: string; resource: string }>();

  /**
   * @param distributed the parent's Distributed Map states and their Map Run ARNs: such a state shows as
   *   MapStateEntered, MapRunStarted, MapRunSucceeded/Failed, MapStateExited (its children have their own
   *   histories); the runner runs it as a local Task, whose task events are not the parent's
   */
  constructor(
    private readonly itemsPathOf: (mapState: string) => string | undefined,
    private readonly distributed?: { names: ReadonlySet<string>; mapRunArn: (mapState: string) => string },
  ) {}

  private closed = false;

  private add(lane: string, type: string, details: Details = {}, at = Date.now()): void {
    // Nothing follows an execution's end (a stopped run's in-flight calls still report).
    if (this.closed) return;
    const id = this.events.length + 1;
    const previousEventId = this.lastInLane.get(lane) ?? this.lastInLane.get(TOP) ?? 0;
    this.events.push({ id, previousEventId, timestamp: at / 1000, type, ...details });
    this.lastInLane.set(lane, id);
  }

  started(input: JsonValue, at: number): void {
    this.add(
      TOP,
      'ExecutionStarted',
      {
        executionStartedEventDetails: {
          input: text(input),
          inputDetails: { truncated: false },
          roleArn: ROLE_ARN,
        },
      },
      at,
    );
  }

  on(e: RunnerEvent): void {
    // A Distributed Map child's events belong to its own history, as on AWS, not to the parent's.
    if (e.kind === 'execution' && !e.event.execution) this.onLibraryEvent(e.event);
    else if (e.kind === 'task' && !e.execution) this.onTask(e);
  }

  private onLibraryEvent(ev: ExecutionEvent): void {
    const lane = ev.index === undefined ? TOP : `i${ev.index}`;
    const st = ev.state;
    if (st && this.distributed?.names.has(st.name)) {
      this.onDistributedMap(ev, st.name);
      return;
    }
    switch (ev.type) {
      case 'StateEntered': {
        if (!st) return;
        this.add(
          lane,
          `${st.type}StateEntered`,
          {
            stateEnteredEventDetails: {
              name: st.name,
              input: text(st.input),
              inputDetails: { truncated: false },
            },
          },
          ev.timestamp,
        );
        if (st.type === 'Task') this.queueTask(st.name, lane);
        if (st.type === 'Map') {
          const items = readPath(st.input, this.itemsPathOf(st.name) ?? '$');
          this.add(
            lane,
            'MapStateStarted',
            {
              mapStateStartedEventDetails: { length: Array.isArray(items) ? items.length : 0 },
            },
            ev.timestamp,
          );
        }
        return;
      }
      case 'StateRetried':
        if (st?.type === 'Task') this.queueTask(st.name, lane);
        return;
      case 'StateExited': {
        if (!st) return;
        if (st.type === 'Map') this.add(lane, 'MapStateSucceeded', {}, ev.timestamp);
        this.add(
          lane,
          `${st.type}StateExited`,
          {
            stateExitedEventDetails: {
              name: st.name,
              output: text(st.output),
              outputDetails: { truncated: false },
            },
          },
          ev.timestamp,
        );
        return;
      }
      case 'StateFailed':
        if (st?.type === 'Map') this.add(lane, 'MapStateFailed', {}, ev.timestamp);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `mapIteration${ev.type.slice('MapIteration'.length)}EventDetails`;
        const parent = (ev as unknown as { parentState?: { name: string } }).parentState?.name ?? '';
        const iteration = `i${ev.index}`;
        if (ev.type === 'MapIterationStarted') this.lastInLane.set(iteration, this.lastInLane.get(TOP) ?? 0);
        this.add(iteration, ev.type, { [key]: { name: parent, index: ev.index } } as Details, ev.timestamp);
        return;
      }
      default:
        // Execution* terminal events come from the execution's result (finished()), which knows about the
        // payload quota the library does not check.
        return;
    }
  }

  private onDistributedMap(ev: ExecutionEvent, name: string): void {
    const st = ev.state;
    if (!st || !this.distributed) return;
    const mapRunArn = this.distributed.mapRunArn(name);
    if (ev.type === 'StateEntered') {
      this.add(
        TOP,
        'MapStateEntered',
        { stateEnteredEventDetails: { name, input: text(st.input), inputDetails: { truncated: false } } },
        ev.timestamp,
      );
      this.add(TOP, 'MapRunStarted', { mapRunStartedEventDetails: { mapRunArn } }, ev.timestamp);
    } else if (ev.type === 'StateExited') {
      this.add(TOP, 'MapRunSucceeded', {}, ev.timestamp);
      this.add(
        TOP,
        'MapStateExited',
        { stateExitedEventDetails: { name, output: text(st.output), outputDetails: { truncated: false } } },
        ev.timestamp,
      );
    } else if (ev.type === 'StateFailed') {
      const details = {
        error: ev.Error ?? 'States.ExceedToleratedFailureThreshold',
        cause: causeOf(ev.Cause),
      };
      this.add(TOP, 'MapRunFailed', { mapRunFailedEventDetails: details }, ev.timestamp);
      this.add(TOP, 'MapStateFailed', {}, ev.timestamp);
    }
  }

  private queueTask(state: string, lane: string): void {
    const queue = this.waitingTasks.get(state) ?? [];
    queue.push(lane);
    this.waitingTasks.set(state, queue);
  }

  private onTask(e: Extract<RunnerEvent, { kind: 'task' }>): void {
    if (this.distributed?.names.has(e.state)) return;
    const parts = { resourceType: e.resourceType, resource: e.resource };
    if (e.phase === 'scheduled') {
      const lane = this.waitingTasks.get(e.state)?.shift() ?? TOP;
      this.laneOfAttempt.set(e.attemptId, lane);
      this.taskResource.set(e.attemptId, parts);
      this.add(lane, 'TaskScheduled', {
        taskScheduledEventDetails: {
          ...parts,
          region: REGION,
          parameters: JSON.stringify(e.parameters),
          ...(e.timeoutSeconds === undefined ? {} : { timeoutInSeconds: e.timeoutSeconds }),
        },
      });
      this.add(lane, 'TaskStarted', { taskStartedEventDetails: parts });
      return;
    }
    const lane = this.laneOfAttempt.get(e.attemptId) ?? TOP;
    if (e.phase === 'submitted') {
      this.add(lane, 'TaskSubmitted', {
        taskSubmittedEventDetails: { ...parts, output: text(e.output), outputDetails: { truncated: false } },
      });
    } else if (e.phase === 'succeeded') {
      this.add(lane, 'TaskSucceeded', {
        taskSucceededEventDetails: { ...parts, output: text(e.output), outputDetails: { truncated: false } },
      });
    } else if (e.phase === 'failed') {
      this.add(lane, 'TaskFailed', { taskFailedEventDetails: { ...parts, error: e.error, cause: e.cause } });
    } else {
      this.add(lane, 'TaskTimedOut', {
        taskTimedOutEventDetails: {
          ...parts,
          error: 'States.Timeout',
          cause: 'The task did not finish in time.',
        },
      });
    }
  }

  finished(result: { status: string; output?: JsonValue; error?: string; cause?: string }, at: number): void {
    if (result.status === 'SUCCEEDED') {
      this.add(
        TOP,
        'ExecutionSucceeded',
        {
          executionSucceededEventDetails: {
            output: text(result.output),
            outputDetails: { truncated: false },
          },
        },
        at,
      );
    } else if (result.status === 'FAILED') {
      this.add(
        TOP,
        'ExecutionFailed',
        {
          executionFailedEventDetails: { error: result.error ?? 'Error', cause: result.cause ?? '' },
        },
        at,
      );
    } else if (result.status === 'ABORTED') {
      this.add(
        TOP,
        'ExecutionAborted',
        {
          executionAbortedEventDetails: { error: result.error ?? '', cause: result.cause ?? '' },
        },
        at,
      );
    } else {
      this.add(
        TOP,
        'ExecutionTimedOut',
        {
          executionTimedOutEventDetails: { error: 'States.Timeout', cause: '' },
        },
        at,
      );
    }
    this.closed = true;
  }
}

function causeOf(cause: unknown): string {
  if (cause === undefined || cause === null) return '';
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/** `$.a.b` of a value (ItemsPath of our Map states). */
function readPath(value: JsonValue, path: string): unknown {
  let v: unknown = value;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    v = (v as Record<string, unknown> | null)?.[key];
  }
  return v;
}
