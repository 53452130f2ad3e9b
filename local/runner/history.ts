// History events and payload sizes per execution, counted from aws-local-stepfunctions' event log with the
// model in lambdas/workflow/history-model.ts (as Step Functions records them), so a local run shows what an
// execution would use of AWS's quotas.
import { EVENTS_PER_TASK_SUBMITTED, HISTORY_EVENTS_QUOTA } from '../../lambdas/workflow/history-model.js';
import type { ExecutionEvent } from './types.js';

/** AWS's payload quota for a state's input and output (and an execution's input), in UTF-8 bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export { HISTORY_EVENTS_QUOTA };

export interface ExecutionUsage {
  historyEvents: number;
  maxPayloadBytes: number;
  /** the state (and whether input or output) with the largest payload */
  maxPayloadAt: string | null;
}

/** Kinds of states the library reports as something else (a Distributed Map runs as a local Task). */
export interface StateKinds {
  distributedMaps: Set<string>;
  waitForTaskToken: Set<string>;
}

/** Counts the events of one execution (its own states and inline Map iterations, not its children's). */
export function usageOf(events: ExecutionEvent[], kinds: StateKinds): ExecutionUsage {
  let n = 0;
  let max = 0;
  let at: string | null = null;
  for (const e of events) {
    const st = e.state;
    const distributed = !!st && kinds.distributedMaps.has(st.name);
    const task = st?.type === 'Task' && !distributed;
    const map = st?.type === 'Map' || distributed;
    switch (e.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        n += 1;
        break;
      case 'StateEntered':
        // …StateEntered; TaskScheduled + TaskStarted; MapStateStarted / MapRunStarted
        n += 1 + (task ? 2 : 0) + (map ? 1 : 0);
        if (st && kinds.waitForTaskToken.has(st.name)) n += EVENTS_PER_TASK_SUBMITTED;
        break;
      case 'StateExited':
        // TaskSucceeded / MapStateSucceeded / MapRunSucceeded; …StateExited
        n += 1 + (task || map ? 1 : 0);
        break;
      case 'StateRetried':
        // the failed attempt's TaskFailed, then TaskScheduled + TaskStarted of the next
        n += 3;
        break;
      case 'StateFailed':
        n += 1;
        break;
      default:
        break;
    }
    for (const [what, value] of [
      ['input', st?.input],
      ['output', st?.output],
      ['input', e.type === 'ExecutionStarted' ? e.input : undefined],
    ] as const) {
      if (value === undefined) continue;
      const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
      if (bytes > max) {
        max = bytes;
        at = `${st?.name ?? 'execution'} ${what}`;
      }
    }
  }
  return { historyEvents: n, maxPayloadBytes: max, maxPayloadAt: at };
}

/** The quota a usage crosses on AWS, as the error AWS would fail the execution with; undefined when none. */
export function quotaCrossed(usage: ExecutionUsage): { error: string; cause: string } | undefined {
  if (usage.maxPayloadBytes > MAX_PAYLOAD_BYTES) {
    return {
      error: 'States.DataLimitExceeded',
      cause: `The ${usage.maxPayloadAt} is ${usage.maxPayloadBytes} bytes, above the ${MAX_PAYLOAD_BYTES}-byte quota.`,
    };
  }
  if (usage.historyEvents > HISTORY_EVENTS_QUOTA) {
    return {
      error: 'States.Runtime',
      cause: `The execution would have ${usage.historyEvents} history events, above Step Functions' ${HISTORY_EVENTS_QUOTA} per execution (AWS fails it when the quota is reached).`,
    };
  }
  return undefined;
}
