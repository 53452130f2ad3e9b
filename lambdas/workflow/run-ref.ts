// Run id ↔ execution name ↔ execution ARN (ADR 0004 §1). An execution started from an idempotency key (the CLI's
// `--key`, an EventBridge event id) is named `ic-<12 hex of sha256(key)>`: retrying with the same key reaches the
// same execution (StartExecution's name idempotency), and its run id, which is in every clone name, is the hex
// part, so a run id leads straight back to its execution ARN.
import { createHash } from 'node:crypto';
import { type ExecutionListItem, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { KEYED_EXECUTION_NAME, runIdOf } from './naming.js';

export { runIdOf };

/** Where the release and start functions (and the CLI) find the state machine's ARN. */
export const STATE_MACHINE_ARN_ENV = 'INSTANT_CLONE_STATE_MACHINE_ARN';

const KEYED_RUN_ID = /^[0-9a-f]{12}$/;
const STATE_MACHINE_ARN = /^(arn:aws[\w-]*:states:[\w-]+:\d{12}):stateMachine:([\w-]{1,80})$/;
const EXECUTION_ARN = /^(arn:aws[\w-]*:states:[\w-]+:\d{12}):execution:([\w-]{1,80}):([\w-]{1,80})$/;

/** The execution name for an idempotency key: the same key always names the same execution. */
export function executionNameForKey(key: string): string {
  if (key.length === 0) throw new TypeError('an idempotency key must not be empty');
  return `ic-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** `ic-<runId>` for a keyed run id (12 hex); undefined for an 8-hex id hashed from another name. */
export function executionNameForRun(runId: string): string | undefined {
  return KEYED_RUN_ID.test(runId) ? `ic-${runId}` : undefined;
}

export function executionArnOf(stateMachineArn: string, executionName: string): string {
  const m = STATE_MACHINE_ARN.exec(stateMachineArn);
  if (!m) throw new TypeError(`not a state machine ARN: ${stateMachineArn}`);
  return `${m[1]}:execution:${m[2]}:${executionName}`;
}

export function executionNameOfArn(executionArn: string): string {
  const m = EXECUTION_ARN.exec(executionArn);
  if (!m?.[3]) throw new TypeError(`not an execution ARN: ${executionArn}`);
  return m[3];
}

export interface RunRef {
  executionArn: string;
  executionName: string;
  runId: string;
}

/**
 * Resolves what a user may type for a run: an execution ARN, a keyed execution name (`ic-…`) or a keyed run id.
 * Undefined for anything else (an 8-hex run id of a console or scheduled run): use findExecutionByRunId.
 */
export function resolveRunRef(ref: string, stateMachineArn: string): RunRef | undefined {
  if (EXECUTION_ARN.test(ref)) {
    const executionName = executionNameOfArn(ref);
    return { executionArn: ref, executionName, runId: runIdOf(executionName) };
  }
  const executionName = KEYED_EXECUTION_NAME.test(ref) ? ref : executionNameForRun(ref);
  if (!executionName) return undefined;
  return {
    executionArn: executionArnOf(stateMachineArn, executionName),
    executionName,
    runId: runIdOf(executionName),
  };
}

/** Pages through the running executions for the one whose name yields this run id. */
export async function findExecutionByRunId(
  client: Pick<SFNClient, 'send'>,
  stateMachineArn: string,
  runId: string,
): Promise<RunRef | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }),
    );
    const hit = (page.executions ?? []).find(
      (e: ExecutionListItem) => e.name !== undefined && runIdOf(e.name) === runId,
    );
    if (hit?.executionArn && hit.name) {
      return { executionArn: hit.executionArn, executionName: hit.name, runId };
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}
