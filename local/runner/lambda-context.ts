// A Lambda-like invocation context for in-process handler calls, carrying the secrets the way
// @middy/secrets-manager with `setToContext: true` would (ADR 0001).

import { randomUUID } from 'node:crypto';
import { localFunctionArn } from './asl.js';
import type { Credentials } from './types.js';

const DEFAULT_LAMBDA_TIMEOUT_MS = 900_000;

export function lambdaContext(
  functionName: string,
  secrets: Record<string, Credentials>,
  timeoutMs = DEFAULT_LAMBDA_TIMEOUT_MS,
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
    // Copies: a handler that mutates its context must not change the next invocation's secrets.
    ...Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, { ...v }])),
  };
}
