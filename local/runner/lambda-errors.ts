// Handler errors as Step Functions reports a failed Lambda invocation: Error = the error's name
// (the Node.js runtime's errorType), Cause = the JSON `{ errorType, errorMessage, trace }`.
// aws-local-stepfunctions matches ErrorEquals against `error.name` and uses `message` as the Cause,
// so the error we throw carries exactly those two and nothing else (no `cause` chain that could
// drag a request body with credentials into the event log).

export class LocalTaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export function errorName(error: unknown): string {
  if (error instanceof Error && error.name) return error.name;
  return 'Error';
}

export function toTaskError(error: unknown): LocalTaskError {
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return new LocalTaskError(name, JSON.stringify({ errorType: name, errorMessage: message, trace }));
}
