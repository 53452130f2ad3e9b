// Local stand-in for SendTaskSuccess/SendTaskFailure on `.waitForTaskToken` tasks (the Ready/lease state).

import { errorName, LocalTaskError } from './lambda-errors.js';
import type { JsonValue, ReleaseMode, RunnerEvent } from './types.js';

/** What lambdas/release sends with SendTaskSuccess. */
export const releaseOutput = (): JsonValue => ({
  action: 'release',
  releasedAt: new Date().toISOString(),
  releasedBy: 'local-runner',
});

export interface ReleaseContext {
  state: string;
  taskToken: string;
  /** the execution name (the tokens mode drops its tokens when it ends) */
  execution: string;
  /** the task's TimeoutSeconds in ms, if known */
  timeoutMs?: number;
  timeScale: number;
  onEvent?: (e: RunnerEvent) => void;
}

const never = (): Promise<never> => new Promise<never>(() => {});

/**
 * Resolves with the task output once released. With 'never' the task times out: at timeScale 1 the
 * library's own TimeoutSeconds timer fires (a real States.Timeout); scaled, we throw States.Timeout
 * after TimeoutSeconds × timeScale, because the library only knows unscaled seconds.
 */
export async function awaitRelease(mode: ReleaseMode, ctx: ReleaseContext): Promise<JsonValue> {
  const released = (how: 'immediate' | 'hold' | 'promise'): void =>
    ctx.onEvent?.({ kind: 'released', state: ctx.state, taskToken: ctx.taskToken, how });
  if (mode === 'immediate') {
    released('immediate');
    return releaseOutput();
  }
  if (mode === 'never') {
    if (ctx.timeScale === 1 || ctx.timeoutMs === undefined) return never();
    const afterMs = ctx.timeoutMs * ctx.timeScale;
    await new Promise((r) => setTimeout(r, afterMs));
    ctx.onEvent?.({ kind: 'timeout', state: ctx.state, afterMs });
    throw new LocalTaskError('States.Timeout', 'States.Timeout');
  }
  if ('tokens' in mode) {
    const output = await mode.tokens.wait(
      ctx.taskToken,
      ctx.execution,
      ctx.timeoutMs === undefined ? undefined : ctx.timeoutMs * ctx.timeScale,
    );
    ctx.onEvent?.({ kind: 'released', state: ctx.state, taskToken: ctx.taskToken, how: 'promise' });
    return output;
  }
  if (mode instanceof Promise) {
    let value: unknown;
    try {
      value = await mode;
    } catch (error) {
      // SendTaskFailure: the error's name is the Error ASL matches on.
      throw new LocalTaskError(errorName(error), error instanceof Error ? error.message : String(error));
    }
    released('promise');
    return value === undefined ? releaseOutput() : (JSON.parse(JSON.stringify(value)) as JsonValue);
  }
  await new Promise((r) => setTimeout(r, mode.afterMs));
  released('hold');
  return releaseOutput();
}
