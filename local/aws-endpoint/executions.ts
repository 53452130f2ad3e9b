// Executions of the real ASL file through the local runner, with Step Functions' API semantics: name
// idempotency, statuses, history, task tokens, StopExecution. Stopping an execution ends it as AWS does
// (ABORTED, no more states run) and then removes its clones by run marker, which the stack does with its
// execution-status rule; in-flight Lambda calls are awaited first so none creates a clone afterwards.
import { randomUUID } from 'node:crypto';
import { lambdaFunctionOf, taskStates } from '../runner/asl.js';
import { importHandlers } from '../runner/handlers.js';
import {
  type JsonValue,
  type LambdaHandler,
  loadLocalDefinition,
  type RunnerEvent,
  runLocalWorkflow,
} from '../runner/index.js';
import { TaskTokens } from '../runner/task-tokens.js';
import type { RunningSimulator } from '../simulator/index.js';
import { AwsApiError } from './errors.js';
import { HistoryRecorder } from './history.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalExecution {
  executionArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryRecorder;
  /** set on a Distributed Map's child execution: the Map Run it belongs to */
  mapRunArn?: string;
  /** a parent's children, by the runner's name, and how to stop each alone */
  childStops?: Map<string, () => void>;
  /** a child: stops it alone (its Map Run fails; the parent's Catch tears the fleet down) */
  stopChild?: () => void;
  /** settles when the run, and any teardown after a stop, are over */
  settled: Promise<void>;
  abort: AbortController;
}

export interface LocalExecutionsOptions {
  simulator: RunningSimulator;
  stateMachineArn: string;
  timeScale: number;
  /** handler putEvents (AnnounceReady) and the ASL's putEvents tasks, for the local bus */
  onPutEvents?: (entries: JsonValue[]) => void;
  /** progress lines for the endpoint's stderr */
  log?: (line: string) => void;
  /** WORKFLOW_CONFIG defaults for every run */
  defaults?: Record<string, JsonValue>;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

export class LocalExecutions {
  readonly tokens = new TaskTokens();
  private readonly byArn = new Map<string, LocalExecution>();
  private readonly itemsPaths = new Map<string, string>();
  /** top-level Distributed Map states: their children are executions of their own (ListExecutions by mapRunArn) */
  private readonly distributedMaps = new Set<string>();
  private handlers?: Promise<Record<string, LambdaHandler>>;

  constructor(private readonly options: LocalExecutionsOptions) {
    const definition = loadLocalDefinition() as unknown as Record<string, unknown>;
    const visit = (machine: unknown): void => {
      const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
      for (const [name, state] of Object.entries(states ?? {})) {
        if (state.Type === 'Map' && typeof state.ItemsPath === 'string')
          this.itemsPaths.set(name, state.ItemsPath);
        const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
        if (machine === definition && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED')
          this.distributedMaps.add(name);
        visit(state.ItemProcessor ?? state.Iterator);
      }
    };
    visit(definition);
  }

  arnOf(name: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** As AWS names them: `mapRun:<state machine>/<Map state>:<id>` (the id here: the parent's name). */
  mapRunArnOf(parent: string, mapState: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${mapState}:${parent}`;
  }

  /** A child execution: `execution:<state machine>/<Map state>:<id>`. */
  private childArnOf(mapState: string, childName: string): string {
    return `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}/${mapState}:${childName}`;
  }

  private newHistory(name: string): HistoryRecorder {
    return new HistoryRecorder((map) => this.itemsPaths.get(map), {
      names: this.distributedMaps,
      mapRunArn: (map) => this.mapRunArnOf(name, map),
    });
  }

  /** StartExecution: same name and input while running → the same execution; otherwise ExecutionAlreadyExists. */
  start(
    name: string | undefined,
    input: string | undefined,
  ): { execution: LocalExecution; created: boolean } {
    const executionName = name ?? randomUUID();
    if (!NAME.test(executionName)) {
      throw new AwsApiError('InvalidName', `Invalid Name: '${executionName}' (1-80 of A-Z a-z 0-9 - _)`);
    }
    const inputText = input ?? '{}';
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(inputText) as JsonValue;
    } catch {
      throw new AwsApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = this.arnOf(executionName);
    const existing = this.byArn.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === inputText)
        return { execution: existing, created: false };
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const startDate = Date.now();
    const history = this.newHistory(executionName);
    history.started(parsed, startDate);
    const abort = new AbortController();
    const execution: LocalExecution = {
      executionArn,
      name: executionName,
      input: inputText,
      status: 'RUNNING',
      startDate,
      history,
      abort,
      settled: Promise.resolve(),
    };
    this.byArn.set(executionArn, execution);
    execution.settled = this.run(execution, parsed).catch((error: unknown) => {
      // The runner itself broke (not the workflow): the execution fails, as a Step Functions service error would.
      const cause = error instanceof Error ? error.message : String(error);
      this.options.log?.(`${executionName}: local runner error: ${cause}`);
      if (execution.status !== 'RUNNING') return;
      execution.status = 'FAILED';
      execution.stopDate = Date.now();
      execution.error = 'States.Runtime';
      execution.cause = cause;
      execution.history.finished({ status: 'FAILED', error: 'States.Runtime', cause }, execution.stopDate);
    });
    return { execution, created: true };
  }

  private async run(execution: LocalExecution, input: JsonValue): Promise<void> {
    const inFlight = new Set<Promise<unknown>>();
    const handlers = await this.trackedHandlers(inFlight);
    const childStops = new Map<string, () => void>();
    execution.childStops = childStops;
    const onEvent = (e: RunnerEvent): void => {
      const child =
        e.kind === 'execution'
          ? e.event.execution
          : e.kind === 'task'
            ? e.execution
            : e.kind === 'childExecution'
              ? e.usage.name
              : undefined;
      if (child) this.onChildEvent(execution, child, e);
      else execution.history.on(e);
      if (e.kind === 'putEvents') this.options.onPutEvents?.(e.event.entries);
    };
    this.options.log?.(`${execution.name}: started`);
    const result = await runLocalWorkflow({
      input,
      simulator: this.options.simulator,
      name: execution.name,
      timeScale: this.options.timeScale,
      release: { tokens: this.tokens },
      signal: execution.abort.signal,
      childStops,
      ...(this.options.defaults ? { defaults: this.options.defaults } : {}),
      handlers,
      onEvent,
    });
    this.tokens.dropExecution(execution.name);
    if (execution.status === 'RUNNING') {
      execution.status = result.status === 'TIMED_OUT' ? 'TIMED_OUT' : result.status;
      execution.stopDate = result.stoppedAt;
      if (result.output !== undefined) execution.output = JSON.stringify(result.output);
      if (result.error !== undefined) execution.error = result.error;
      if (result.cause !== undefined) execution.cause = result.cause;
      execution.history.finished(result, result.stoppedAt);
      this.options.log?.(
        `${execution.name}: ${execution.status}${execution.error ? ` (${execution.error})` : ''}`,
      );
      return;
    }
    // Stopped: the local runner has let the Lambda calls under way finish and torn down what they made, as the
    // stack's execution-status rule does on AWS (TeardownRun).
    const destroyed = result.teardown?.destroyed.length ?? 0;
    const failed = result.teardown?.failed.length ?? 0;
    this.options.log?.(
      `${execution.name}: ABORTED; removed ${destroyed} clone(s)${failed ? `, ${failed} failed` : ''}`,
    );
  }

  /**
   * A Distributed Map child's events (the runner names it `<parent>:<Map state>:<index>`) go to an execution of
   * its own, as on AWS: DescribeExecution, GetExecutionHistory, and ListExecutions by its Map Run's ARN.
   */
  private onChildEvent(parent: LocalExecution, runnerName: string, e: RunnerEvent): void {
    const [, mapState = '', index = '0'] = runnerName.split(':');
    const name = `${parent.name}-${mapState}-${index}`;
    const executionArn = this.childArnOf(mapState, name);
    let child = this.byArn.get(executionArn);
    if (!child) {
      const started = e.kind === 'execution' && e.event.type === 'ExecutionStarted' ? e.event : undefined;
      const startDate = started?.timestamp ?? Date.now();
      const input = (started?.input ?? null) as JsonValue;
      const history = this.newHistory(name);
      history.started(input, startDate);
      child = {
        executionArn,
        name,
        input: JSON.stringify(input),
        status: 'RUNNING',
        startDate,
        history,
        mapRunArn: this.mapRunArnOf(parent.name, mapState),
        stopChild: () => parent.childStops?.get(runnerName)?.(),
        abort: parent.abort,
        settled: Promise.resolve(),
      };
      this.byArn.set(executionArn, child);
      if (started) return;
    }
    if (e.kind === 'childExecution') {
      if (child.status !== 'RUNNING') return; // stopped by StopExecution already
      const u = e.usage;
      child.status = (
        ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'].includes(u.status) ? u.status : 'FAILED'
      ) as ExecutionStatus;
      child.stopDate = Date.now();
      if (u.error !== undefined) child.error = u.error;
      child.history.finished(
        { status: child.status, ...(u.error ? { error: u.error } : {}) },
        child.stopDate,
      );
      return;
    }
    if (e.kind === 'execution') {
      const { execution: _child, ...event } = e.event;
      child.history.on({ kind: 'execution', event });
    } else if (e.kind === 'task') {
      const { execution: _child, ...task } = e;
      child.history.on(task as RunnerEvent);
    }
  }

  /** The real handlers, each call counted until it settles. */
  private async trackedHandlers(inFlight: Set<Promise<unknown>>): Promise<Record<string, LambdaHandler>> {
    this.handlers ??= (async () => {
      const tasks = taskStates(loadLocalDefinition() as unknown as Record<string, unknown>);
      const fns = [
        ...new Set(tasks.map((t) => lambdaFunctionOf(t.definition)).filter((f) => f !== undefined)),
      ];
      return importHandlers(fns);
    })();
    const base = await this.handlers;
    return Object.fromEntries(
      Object.entries(base).map(([fn, handler]) => [
        fn,
        (event: unknown, context: Record<string, unknown>) => {
          const call = Promise.resolve().then(() => handler(event, context));
          inFlight.add(call);
          void call.then(
            () => inFlight.delete(call),
            () => inFlight.delete(call),
          );
          return call;
        },
      ]),
    );
  }

  get(executionArn: string): LocalExecution {
    const execution = this.byArn.get(executionArn);
    if (!execution)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  /** Newest first: the state machine's executions, or (with mapRunArn) a Map Run's children. */
  list(statusFilter?: string, mapRunArn?: string): LocalExecution[] {
    return [...this.byArn.values()]
      .filter((e) => e.mapRunArn === mapRunArn)
      .filter((e) => statusFilter === undefined || e.status === statusFilter)
      .sort((a, b) => b.startDate - a.startDate);
  }

  /** StopExecution: ABORTED at once; the run's clones are removed once its in-flight calls are over. */
  stop(executionArn: string, error?: string, cause?: string): LocalExecution {
    const execution = this.get(executionArn);
    if (execution.status !== 'RUNNING') return execution;
    execution.status = 'ABORTED';
    execution.stopDate = Date.now();
    if (error !== undefined) execution.error = error;
    if (cause !== undefined) execution.cause = cause;
    execution.history.finished(
      { status: 'ABORTED', error: error ?? '', cause: cause ?? '' },
      execution.stopDate,
    );
    if (execution.stopChild) execution.stopChild();
    else {
      this.tokens.dropExecution(execution.name);
      execution.abort.abort();
    }
    return execution;
  }

  /** Stops every running execution and waits until all are over and torn down. */
  async stopAll(): Promise<void> {
    for (const e of this.byArn.values())
      if (e.status === 'RUNNING' && !e.mapRunArn) this.stop(e.executionArn, 'LocalEndpointStopped');
    await Promise.allSettled([...this.byArn.values()].map((e) => e.settled));
  }

  /** Waits until every execution is over (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.byArn.values()].map((e) => e.settled));
  }
}
