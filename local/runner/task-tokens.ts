// Local stand-in for Step Functions' task tokens: every `.waitForTaskToken` task gets a fresh token, valid from
// the moment the task is scheduled until SendTaskSuccess/SendTaskFailure, its timeout, or the end of the
// execution — as on AWS, where a used token answers TaskDoesNotExist and an expired one TaskTimedOut.
import { randomBytes } from 'node:crypto';
import { LocalTaskError } from './lambda-errors.js';
import type { JsonValue } from './types.js';

export class TaskTokenError extends Error {
  constructor(
    override readonly name: 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidToken',
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  execution: string;
  resolve(output: JsonValue): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export class TaskTokens {
  private readonly pending = new Map<string, Pending>();
  private readonly timedOut = new Set<string>();
  private readonly issued = new Set<string>();

  /** A new token for a task of this execution (opaque, like AWS's). */
  issue(execution: string): string {
    const token = `local-token-${execution}-${randomBytes(12).toString('base64url')}`;
    this.issued.add(token);
    return token;
  }

  /**
   * Resolves with the SendTaskSuccess output (parsed JSON); rejects with the SendTaskFailure error, or with
   * States.Timeout after `timeoutMs` (the token then answers TaskTimedOut).
   */
  wait(token: string, execution: string, timeoutMs: number | undefined): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const entry: Pending = { execution, resolve, reject };
      if (timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(token);
          this.timedOut.add(token);
          reject(new LocalTaskError('States.Timeout', 'States.Timeout'));
        }, timeoutMs);
      }
      this.pending.set(token, entry);
    });
  }

  has(token: string): boolean {
    return this.pending.has(token);
  }

  /** The execution a live token belongs to. */
  executionOf(token: string): string | undefined {
    return this.pending.get(token)?.execution;
  }

  succeed(token: string, output: JsonValue): void {
    this.take(token).resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    this.take(token).reject(new LocalTaskError(error || 'Error', cause));
  }

  /** Heartbeats only check the token: HeartbeatSeconds is not modelled. */
  heartbeat(token: string): void {
    this.check(token);
  }

  /** The task failed before anyone could answer: its token is gone. */
  drop(token: string): void {
    const entry = this.pending.get(token);
    clearTimeout(entry?.timer);
    this.pending.delete(token);
  }

  /** The execution ended (stopped, failed): its tokens are gone. */
  dropExecution(execution: string): void {
    for (const [token, entry] of this.pending) {
      if (entry.execution !== execution) continue;
      clearTimeout(entry.timer);
      this.pending.delete(token);
    }
  }

  private check(token: string): Pending {
    const entry = this.pending.get(token);
    if (entry) return entry;
    if (this.timedOut.has(token)) throw new TaskTokenError('TaskTimedOut', 'Task Timed Out');
    if (this.issued.has(token)) throw new TaskTokenError('TaskDoesNotExist', 'Task does not exist anymore');
    throw new TaskTokenError('InvalidToken', 'Invalid Token');
  }

  private take(token: string): Pending {
    const entry = this.check(token);
    clearTimeout(entry.timer);
    this.pending.delete(token);
    return entry;
  }
}
