// A Step Functions / EventBridge API error as the JSON protocols carry it: HTTP 400, `{"__type", "message"}`.
// The AWS SDK turns `__type` into the exception class of that name (ExecutionAlreadyExists, TaskDoesNotExist…).
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}
