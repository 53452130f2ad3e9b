// A Lambda-like invocation context for in-process handler calls. It carries no secrets: the handlers fetch them
// from the local Parameters and Secrets extension, as on AWS (ADR 0010).

import { randomUUID } from 'node:crypto';
import { localFunctionArn } from './asl.js';

const DEFAULT_LAMBDA_TIMEOUT_MS = 900_000;

export function lambdaContext(
  functionName: string,
  timeoutMs = DEFAULT_LAMBDA_TIMEOUT_MS,
  /** local stand-ins the handler may use (`localPutEvents`, see lambdas/workflow/publish.ts) */
  extras: Record<string, unknown> = {},
): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
    ...extras,
  };
}
