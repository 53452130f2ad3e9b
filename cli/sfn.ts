// The Step Functions client the verbs share, run lookup (run id or ARN → execution), and API errors as exit codes.
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  SFNClient,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import { findExecutionByRunId, type RunRef, resolveRunRef } from '../lambdas/workflow/run-ref.js';
import type { Connection } from './args.js';
import { CliError, EXIT } from './exit-codes.js';

export type Sfn = Pick<SFNClient, 'send'>;

/** The state machine's region unless --region says otherwise: the API must be called where it lives. */
export function sfnClient(conn: Connection): SFNClient {
  const region = conn.region ?? conn.stateMachineArn.split(':')[3];
  return new SFNClient({
    ...(region ? { region } : {}),
    ...(conn.endpointUrl ? { endpoint: conn.endpointUrl } : {}),
  });
}

/** An SDK or network error as a CliError: exit 5 with the API's error name, or a hint on credentials. */
export function apiError(error: unknown, what: string): CliError {
  if (error instanceof CliError) return error;
  const e = error as Error & { code?: string };
  if (error instanceof SFNServiceException) {
    return new CliError(`${what}: ${e.name}: ${e.message}`, EXIT.api, e.name);
  }
  if (e?.name === 'CredentialsProviderError') {
    return new CliError(
      `${what}: no AWS credentials (${e.message}); against npm run local-aws any values do, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
      EXIT.api,
      e.name,
    );
  }
  const code = e?.code ? ` (${e.code})` : '';
  return new CliError(`${what}: ${e?.message ?? String(error)}${code}`, EXIT.api, e?.name);
}

/** Sends one command, turning failures into CliErrors that say which call failed. */
export async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw apiError(error, what);
  }
}

export interface FoundRun extends RunRef {
  execution: DescribeExecutionCommandOutput;
}

/**
 * RUN as the user gives it: an execution ARN, a keyed execution name or run id (computed, ADR 0004 §1), or the
 * 8-hex run id of a run started another way (looked up among running executions). Exit 4 when there is none.
 */
export async function findRun(client: Sfn, stateMachineArn: string, ref: string): Promise<FoundRun> {
  let run: RunRef | undefined;
  try {
    run = resolveRunRef(ref, stateMachineArn);
  } catch (error) {
    throw new CliError(`RUN: ${(error as Error).message}`, EXIT.usage);
  }
  if (!run && /^[0-9a-f]{8}$/.test(ref)) {
    run = await call('ListExecutions', () => findExecutionByRunId(client, stateMachineArn, ref));
  }
  if (!run) {
    throw new CliError(
      `no run '${ref}': give a run id (from acquire's output or a clone name) or an execution ARN`,
      EXIT.notFound,
    );
  }
  const found = run;
  try {
    const execution = await client.send(new DescribeExecutionCommand({ executionArn: found.executionArn }));
    return { ...found, execution };
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) {
      throw new CliError(`no run '${ref}' (${found.executionArn} does not exist)`, EXIT.notFound);
    }
    throw apiError(error, 'DescribeExecution');
  }
}

/** `{errorType, errorMessage}` causes (a Lambda's) as their message; other causes as they are. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return cause;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
