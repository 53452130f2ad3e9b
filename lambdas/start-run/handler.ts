// Target of the "Instant Clones Requested" rule: starts at most one execution per event, however often
// EventBridge delivers it (at least once). The execution name derives from the event id (ADR 0004 §1), and
// StartExecution refuses a second execution of that name: a redelivery while the run is going returns the
// same execution (same name, same input), one after it ended fails with ExecutionAlreadyExists. Either way the
// duplicate is recorded in the log and nothing else runs.
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { runIdOf } from '../workflow/naming.js';
import { executionNameForKey, STATE_MACHINE_ARN_ENV } from '../workflow/run-ref.js';

export interface RequestedEvent {
  id?: unknown;
  'detail-type'?: unknown;
  account?: unknown;
  source?: unknown;
  detail?: unknown;
}

export interface StartResult {
  executionName: string;
  runId: string;
  executionArn?: string;
  /** started: a new execution (or the same one, for a redelivery while it runs); duplicate: refused */
  outcome: 'started' | 'duplicate';
}

export async function startRun(
  event: RequestedEvent,
  deps: { client: Pick<SFNClient, 'send'>; stateMachineArn: string },
): Promise<StartResult> {
  if (typeof event.id !== 'string' || event.id.length === 0) {
    throw new TypeError('Instant Clones Requested: the EventBridge event has no id');
  }
  // The request is validated by the execution's ValidateRequest (InvalidRequest names the field there). The
  // sender's account and source travel beside it, where the sender cannot write: request policies
  // (lambdas/workflow/request-policy.ts) select on them.
  const input = JSON.stringify({
    request: event.detail ?? {},
    principal: { account: String(event.account ?? ''), source: String(event.source ?? '') },
  });
  const executionName = executionNameForKey(`event:${event.id}`);
  const runId = runIdOf(executionName);
  try {
    const started = await deps.client.send(
      new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: executionName, input }),
    );
    return {
      executionName,
      runId,
      outcome: 'started',
      ...(started.executionArn ? { executionArn: started.executionArn } : {}),
    };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return { executionName, runId, outcome: 'duplicate' };
    throw error;
  }
}

const sfn = new SFNClient({});

export const handler = async (event: RequestedEvent): Promise<StartResult> => {
  const stateMachineArn = process.env[STATE_MACHINE_ARN_ENV];
  if (!stateMachineArn) throw new Error(`${STATE_MACHINE_ARN_ENV} is not set (the stack sets it)`);
  const result = await startRun(event, { client: sfn, stateMachineArn });
  console.log(JSON.stringify({ message: 'start run', eventId: event.id, ...result }));
  return result;
};
