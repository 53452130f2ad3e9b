// Public types of the local runner (runs statemachines/instant-clone.asl.json with aws-local-stepfunctions).

import type { RunningSimulator } from '../simulator/index.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Credentials as the secrets hold them: `{ username, password }`. */
export interface Credentials {
  username: string;
  password: string;
}

/** A vCenter to run against instead of the simulator (e.g. a real one reached over the VPN). */
export interface VcenterTarget extends Credentials {
  url: string;
  insecure?: boolean;
  caPem?: string;
}

/** One source of clones, as WORKFLOW_CONFIG's `sources.<name>` describes it (secret ids are filled in). */
export interface SourceConfig {
  paths: string[];
  os: 'linux' | 'windows';
  nicName?: string;
  refreshCommand?: string;
  [extra: string]: unknown;
}

/**
 * How the `events:putEvents.waitForTaskToken` (Ready) task is released:
 * 'immediate', after a hold, when a promise settles (its value is the task output, a rejection is a
 * SendTaskFailure named after the error), or 'never' so the state's TimeoutSeconds fires.
 */
export type ReleaseMode = 'immediate' | 'never' | { afterMs: number } | Promise<unknown>;

/** An event the workflow would have sent to EventBridge, recorded instead of sent. */
export interface RecordedEvent {
  state: string;
  entries: JsonValue[];
  taskToken?: string;
  at: number;
}

/** A hook around every Lambda invocation; throwing from it simulates a Lambda crash. */
export type TaskHook = (call: {
  state: string;
  attempt: number;
  phase: 'before' | 'after';
  payload: unknown;
  result?: unknown;
}) => void | Promise<void>;

export type LambdaHandler = (event: unknown, context: Record<string, unknown>) => Promise<unknown> | unknown;

/** A library event-log entry (state entered/exited/failed/retried/caught, map iteration, execution). */
export interface ExecutionEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: JsonValue; output?: JsonValue };
  index?: number;
  parentState?: { name: string; type: string };
  Error?: string;
  Cause?: unknown;
  input?: JsonValue;
  output?: JsonValue;
  retry?: { attempt: number };
  /** set on events of a Distributed Map's child execution (forwarded into the parent's list): its name */
  execution?: string;
}

/** What one execution (the parent or a Distributed Map child) used of AWS's quotas. */
export interface ExecutionUsageRecord {
  name: string;
  kind: 'parent' | 'child';
  status: string;
  /** history events as Step Functions would count them (local/runner/history.ts) */
  historyEvents: number;
  /** the largest state input or output, in UTF-8 bytes */
  maxPayloadBytes: number;
  maxPayloadAt: string | null;
  error?: string;
}

export type RunnerEvent =
  | { kind: 'execution'; event: ExecutionEvent }
  | { kind: 'putEvents'; event: RecordedEvent }
  | { kind: 'released'; state: string; taskToken: string; how: 'immediate' | 'hold' | 'promise' }
  | { kind: 'timeout'; state: string; afterMs: number }
  | { kind: 'childExecution'; usage: ExecutionUsageRecord };

export interface RunLocalWorkflowOptions {
  /** the execution input (the request) */
  input: JsonValue;
  /** run against this simulator (its URL, accounts and sources) */
  simulator?: RunningSimulator;
  /** run against this vCenter instead (takes precedence over `simulator`) */
  vcenter?: VcenterTarget;
  /** guest accounts per source name (defaults from the simulator) */
  guest?: Record<string, Credentials>;
  /** sources by name (defaults: the simulator's linux, windows, notFrozen, poweredOff, missing) */
  sources?: Record<string, SourceConfig>;
  /** merged over the generated WORKFLOW_CONFIG `defaults` */
  defaults?: Record<string, JsonValue>;
  /** WORKFLOW_CONFIG `throttle`: `{ limits: { clone, reconfigure, guest, teardown }, waitSeconds }` */
  throttle?: Record<string, JsonValue>;
  /**
   * the throttle's permit table (dynalite, local/runner/permit-store.ts); share one between concurrent runs.
   * Default: the runner starts its own for this run and stops it at the end.
   */
  permits?: { endpoint: string; tableName: string };
  /** Ready/lease release; default 'immediate' */
  release?: ReleaseMode;
  /** live progress: every library event, recorded putEvents, releases, scaled timeouts */
  onEvent?: (e: RunnerEvent) => void;
  /**
   * Multiplies Retry intervals, Wait states and (with release 'never') the lease timeout.
   * Default 1 (AWS timing). Simulator latencies are scaled by the simulator itself.
   */
  timeScale?: number;
  /** execution name (default `local-<time>-<random>`) */
  name?: string;
  /** ASL file (default statemachines/instant-clone.asl.json) */
  aslPath?: string;
  /** handlers by state name, instead of importing lambdas/<kebab-state>/handler.ts (unit tests) */
  handlers?: Record<string, LambdaHandler>;
  /** called before and after every Lambda invocation */
  taskHook?: TaskHook;
  /** aborts the execution (status ABORTED) */
  signal?: AbortSignal;
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface LocalExecutionResult {
  status: ExecutionStatus;
  name: string;
  output?: JsonValue;
  error?: string;
  cause?: string;
  /** every event of the library's event log, in order */
  events: ExecutionEvent[];
  /** putEvents calls recorded instead of sent */
  putEvents: RecordedEvent[];
  /** per execution (the parent first, then every Distributed Map child): history events, largest payload */
  executions: ExecutionUsageRecord[];
  startedAt: number;
  stoppedAt: number;
}
