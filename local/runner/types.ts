// Public types of the local runner (runs statemachines/instant-clone.asl.json with aws-local-stepfunctions).

import type { SourceSettings } from '../../lambdas/workflow/config.js';
import type { RunningSimulator } from '../simulator/index.js';
import type { TaskTokens } from './task-tokens.js';

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

/**
 * A source as the handlers know it (lambdas/workflow/config.ts), without its guest accounts: the local runner
 * supplies those itself.
 */
export type SourceConfig = SourceSettings;

/**
 * How a `.waitForTaskToken` task (Ready) is released:
 * 'immediate', after a hold, when a promise settles (its value is the task output, a rejection is a
 * SendTaskFailure named after the error), 'never' so the state's TimeoutSeconds fires, or `{ tokens }`:
 * each wait gets a fresh token and waits for `tokens.succeed/fail(token, …)` (SendTaskSuccess/Failure) or its
 * timeout (TimeoutSeconds × timeScale). The first three answer every wait of the run alike.
 */
export type ReleaseMode =
  | 'immediate'
  | 'never'
  | { afterMs: number }
  | Promise<unknown>
  | { tokens: TaskTokens };

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

/** One attempt of a Task's resource, as Step Functions' TaskScheduled…TaskSucceeded history events tell it. */
export type TaskEvent =
  | { phase: 'scheduled'; parameters: JsonValue; timeoutSeconds?: number }
  | { phase: 'submitted'; output: JsonValue }
  | { phase: 'succeeded'; output: JsonValue }
  | { phase: 'failed'; error: string; cause: string }
  | { phase: 'timedOut' };

export type RunnerEvent =
  | { kind: 'execution'; event: ExecutionEvent }
  | ({
      kind: 'task';
      state: string;
      /** 'lambda' | 'events' */
      resourceType: string;
      /** 'invoke' | 'invoke.waitForTaskToken' | 'putEvents' | 'putEvents.waitForTaskToken' */
      resource: string;
      /** tells concurrent attempts apart; the same for every phase of one attempt */
      attemptId: number;
      /** set when the Task ran in a Distributed Map's child execution: its name */
      execution?: string;
    } & TaskEvent)
  | { kind: 'putEvents'; event: RecordedEvent }
  | { kind: 'released'; state: string; taskToken: string; how: 'immediate' | 'hold' | 'promise' }
  | { kind: 'timeout'; state: string; afterMs: number }
  /** the run-scoped teardown of an execution that ended without its own (see LocalExecutionResult.teardown) */
  | { kind: 'teardown'; phase: 'started' | 'progress'; status: ExecutionStatus; remaining: string[] }
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
  /** separate smoke-command accounts per source name (WORKFLOW_CONFIG `smokeGuestSecretId`); none by default */
  smokeGuest?: Record<string, Credentials>;
  /** sources by name (defaults: the simulator's linux, windows, notFrozen, poweredOff, missing) */
  sources?: Record<string, SourceConfig>;
  /** merged over the generated WORKFLOW_CONFIG `defaults` */
  defaults?: Record<string, JsonValue>;
  /**
   * WORKFLOW_CONFIG `requestPolicies`, the same document as the deployment config's `requestPolicies`
   * (lambdas/workflow/request-policy.ts); omitted: no policy is enforced
   */
  requestPolicies?: JsonValue;
  /** WORKFLOW_CONFIG `throttle`: `{ limits: { clone, reconfigure, guest, teardown }, waitSeconds }` */
  throttle?: Record<string, JsonValue>;
  /**
   * the permit table (dynalite, local/runner/permit-store.ts): the throttle's permits, the quota's holdings and
   * the learned run times (ADR 0009); share one between concurrent runs, or between runs of one deployment.
   * Default: the runner starts its own, empty, for this run and stops it at the end.
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
  /**
   * filled with a stop function per Distributed Map child execution (by the runner's child name), so that one
   * child can be stopped alone, as StopExecution on a child does on AWS (its Map Run then fails)
   */
  childStops?: Map<string, () => void>;
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
  /**
   * Set when the execution ended without its own teardown (ABORTED, TIMED_OUT, or FAILED outside FinishRun):
   * the clones carrying its run marker that the runner then destroyed, and those it could not.
   */
  teardown?: { destroyed: string[]; failed: { name: string; error: string }[] };
}
