// The Step Functions API subset the CLI and the pipeline functions call (JSON 1.0, X-Amz-Target
// AWSStepFunctions.<Operation>), over LocalExecutions. Shapes and error names as the AWS API reference gives them.
import { TaskTokenError } from '../runner/task-tokens.js';
import type { JsonValue } from '../runner/types.js';
import { AwsApiError } from './errors.js';
import type { LocalExecution, LocalExecutions } from './executions.js';

type Body = Record<string, unknown>;

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function str(body: Body, key: string, required = true): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new AwsApiError('ValidationException', `${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new AwsApiError('ValidationException', `${key} must be a string`);
  return v;
}

/** One page of `all` as the request's maxResults and nextToken ask for it, with the token of the next. */
function page<T>(body: Body, max: number, all: readonly T[]): { items: T[]; nextToken?: string } {
  const requested = body.maxResults === undefined || body.maxResults === 0 ? 100 : Number(body.maxResults);
  if (!Number.isInteger(requested) || requested < 0 || requested > max) {
    throw new AwsApiError('ValidationException', `maxResults must be 0 to ${max}`);
  }
  let start = 0;
  const token = str(body, 'nextToken', false);
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > all.length) {
      throw new AwsApiError('InvalidToken', 'Invalid nextToken');
    }
  }
  const end = Math.min(all.length, start + requested);
  const items = all.slice(start, end);
  return end < all.length
    ? { items, nextToken: Buffer.from(String(end), 'utf8').toString('base64url') }
    : { items };
}

export class StepFunctionsApi {
  constructor(
    private readonly executions: LocalExecutions,
    private readonly stateMachineArn: string,
  ) {}

  private checkMachine(arn: string | undefined): void {
    if (arn !== this.stateMachineArn) {
      throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    }
  }

  /** An execution as ListExecutions lists it; DescribeExecution adds its data. */
  private listItem(e: LocalExecution): Body {
    return {
      executionArn: e.executionArn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      ...(e.stopDate === undefined ? {} : { stopDate: seconds(e.stopDate) }),
    };
  }

  private describe(e: LocalExecution): Body {
    return {
      ...this.listItem(e),
      input: e.input,
      inputDetails: { included: true },
      ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
      ...(e.error === undefined ? {} : { error: e.error }),
      ...(e.cause === undefined ? {} : { cause: e.cause }),
    };
  }

  handle(operation: string, body: Body): Body {
    switch (operation) {
      case 'StartExecution': {
        this.checkMachine(str(body, 'stateMachineArn'));
        const { execution } = this.executions.start(str(body, 'name', false), str(body, 'input', false));
        return { executionArn: execution.executionArn, startDate: seconds(execution.startDate) };
      }
      case 'DescribeExecution':
        return this.describe(this.executions.get(str(body, 'executionArn') as string));
      case 'GetExecutionHistory': {
        const execution = this.executions.get(str(body, 'executionArn') as string);
        const all = [...execution.history.events];
        if (body.reverseOrder === true) all.reverse();
        const { items, nextToken } = page(body, 1000, all);
        const events = body.includeExecutionData === false ? items.map(withoutData) : items;
        return { events, ...(nextToken ? { nextToken } : {}) };
      }
      case 'ListExecutions': {
        // one of the two, as AWS requires: a state machine's executions, or a Map Run's child executions
        const mapRunArn = str(body, 'mapRunArn', false);
        if (mapRunArn === undefined) this.checkMachine(str(body, 'stateMachineArn'));
        const filter = str(body, 'statusFilter', false);
        const all = this.executions.list(filter, mapRunArn);
        const { items, nextToken } = page(body, 1000, all);
        return { executions: items.map((e) => this.listItem(e)), ...(nextToken ? { nextToken } : {}) };
      }
      case 'StopExecution': {
        const e = this.executions.stop(
          str(body, 'executionArn') as string,
          str(body, 'error', false),
          str(body, 'cause', false),
        );
        return { stopDate: seconds(e.stopDate ?? Date.now()) };
      }
      case 'SendTaskSuccess': {
        const token = str(body, 'taskToken') as string;
        const outputText = str(body, 'output') as string;
        let output: JsonValue;
        try {
          output = JSON.parse(outputText) as JsonValue;
        } catch {
          throw new AwsApiError('InvalidOutput', 'Invalid Output: not JSON');
        }
        return this.withToken(() => this.executions.tokens.succeed(token, output));
      }
      case 'SendTaskFailure': {
        const token = str(body, 'taskToken') as string;
        return this.withToken(() =>
          this.executions.tokens.fail(
            token,
            str(body, 'error', false) ?? '',
            str(body, 'cause', false) ?? '',
          ),
        );
      }
      case 'SendTaskHeartbeat':
        return this.withToken(() => this.executions.tokens.heartbeat(str(body, 'taskToken') as string));
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          `AWSStepFunctions.${operation} is not served locally`,
        );
    }
  }

  private withToken(act: () => void): Body {
    try {
      act();
      return {};
    } catch (error) {
      if (error instanceof TaskTokenError) throw new AwsApiError(error.name, error.message);
      throw error;
    }
  }
}

/** includeExecutionData: false drops inputs, outputs and parameters, as AWS does. */
function withoutData(event: Body): Body {
  const copy = structuredClone(event) as Record<string, Record<string, unknown> | unknown>;
  for (const value of Object.values(copy)) {
    if (value === null || typeof value !== 'object') continue;
    const details = value as Record<string, unknown>;
    for (const key of ['input', 'output', 'parameters']) delete details[key];
  }
  return copy as Body;
}
