// The local AWS endpoint: the vCenter simulator plus, on 127.0.0.1, the Step Functions API subset and
// EventBridge PutEvents, backed by the local runner and the real ASL file (ADR 0004 §5).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { closeClients } from '../../lambdas/workflow/session.js';
import type { JsonValue } from '../runner/types.js';
import { simulatorContract } from '../simulator/contract.js';
import { type RunningSimulator, startSimulator } from '../simulator/index.js';
import { AwsApiError } from './errors.js';
import { LocalEventBus, type PutEventsEntry } from './event-bus.js';
import { LocalExecutions } from './executions.js';
import { REGION } from './history.js';
import { StepFunctionsApi } from './step-functions-api.js';

export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${REGION}:000000000000:stateMachine:instant-clone-local`;
export const LOCAL_EVENT_BUS_NAME = 'instant-clone-local';
/** Accepted by the endpoint like any other; for clients that insist on credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalAwsOptions {
  /** 0 = any free port */
  port?: number;
  /** the simulator's latencies, Retry pauses and lease timeouts are multiplied by it (default 1) */
  timeScale?: number;
  /** how often the bus delivers each matched event (EventBridge: at least once); default 2 */
  deliveries?: number;
  /** progress lines (default: none) */
  log?: (line: string) => void;
  /** WORKFLOW_CONFIG defaults for the runs (e.g. a small `sliceSize`, so a few clones fan out over children) */
  defaults?: Record<string, JsonValue>;
}

export interface RunningLocalAws {
  endpoint: string;
  region: string;
  stateMachineArn: string;
  eventBusName: string;
  simulator: RunningSimulator;
  executions: LocalExecutions;
  bus: LocalEventBus;
  /** the first stdout line of `npm run local-aws` */
  contract(): Record<string, unknown>;
  /** stops running executions (their clones are removed), the server and the simulator */
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new AwsApiError('SerializationException', 'The request body is not a JSON object');
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
  errorType?: string,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<RunningLocalAws> {
  const timeScale = options.timeScale ?? 1;
  const log = options.log;
  const simulator = await startSimulator({ timeScale });
  let bus: LocalEventBus | undefined;
  const executions = new LocalExecutions({
    simulator,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    timeScale,
    ...(options.defaults ? { defaults: options.defaults } : {}),
    // What the workflow itself puts on the bus (Ready, Released, Run Failed) goes through the same rules.
    // Step Functions sends an object Detail as a JSON string.
    onPutEvents: (entries) =>
      bus?.put(
        (entries as Record<string, unknown>[]).map((e) => ({
          ...e,
          Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
        })) as PutEventsEntry[],
      ),
    ...(log ? { log } : {}),
  });
  const sfnApi = new StepFunctionsApi(executions, LOCAL_STATE_MACHINE_ARN);

  const server: Server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const [service, operation = ''] = target.split('.');
    const contentType = service === 'AWSEvents' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
    readBody(req)
      .then((body) => {
        if (req.method !== 'POST') throw new AwsApiError('UnknownOperationException', 'POST only', 404);
        if (service === 'AWSStepFunctions') return sfnApi.handle(operation, body);
        if (service === 'AWSEvents' && operation === 'PutEvents') {
          if (!bus) throw new AwsApiError('ServiceUnavailable', 'starting', 503);
          const entries = bus.put(body.Entries as PutEventsEntry[]);
          return { FailedEntryCount: entries.filter((e) => e.ErrorCode).length, Entries: entries };
        }
        throw new AwsApiError(
          'UnknownOperationException',
          `${target || '(no X-Amz-Target)'} is not served locally`,
        );
      })
      .then((result) => send(res, 200, contentType, result))
      .catch((error: unknown) => {
        if (error instanceof AwsApiError) {
          send(res, error.status, contentType, { __type: error.type, message: error.message }, error.type);
          return;
        }
        log?.(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        send(res, 500, contentType, { __type: 'InternalFailure', message: String(error) }, 'InternalFailure');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The bus's targets (the real start and release functions) call this endpoint with the real SDK client.
  const client = new SFNClient({ endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  bus = new LocalEventBus({
    eventBusName: LOCAL_EVENT_BUS_NAME,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    client,
    deliveries: options.deliveries ?? 2,
    ...(log ? { log } : {}),
  });
  const running = bus;

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    region: REGION,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    eventBusName: LOCAL_EVENT_BUS_NAME,
    simulator,
    executions,
    bus: running,
    contract: () => ({
      endpoint,
      region: REGION,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      eventBusName: LOCAL_EVENT_BUS_NAME,
      simulator: simulatorContract(simulator) as JsonValue,
    }),
    stop: () => {
      stopping ??= (async () => {
        await running.idle();
        await executions.stopAll();
        await running.idle();
        client.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeClients();
        await simulator.stop();
      })();
      return stopping;
    },
  };
}
