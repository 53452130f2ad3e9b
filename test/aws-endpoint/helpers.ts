// The local AWS endpoint in-process for tests, with the real AWS SDK clients pointed at it.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type ReadyWait, readReadyWait } from '../../lambdas/workflow/ready-wait.js';
import { type RunningLocalAws, startLocalAws } from '../../local/aws-endpoint/index.js';

// Powertools reads these when the handlers are imported.
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const TIME_SCALE = 0.01;
/** Polling gives up after this long; a slow machine only makes tests slower, never red before it. */
const PATIENCE_MS = 120_000;

export interface LocalAwsClients {
  local: RunningLocalAws;
  sfn: SFNClient;
  events: EventBridgeClient;
}

/** `defaults`: WORKFLOW_CONFIG defaults, e.g. `{ sliceSize: 1 }` so that two clones fan out over two children. */
export async function startLocalAwsWithClients(defaults?: Record<string, number>): Promise<LocalAwsClients> {
  const local = await startLocalAws({ timeScale: TIME_SCALE, ...(defaults ? { defaults } : {}) });
  // Any credentials are accepted; these are arbitrary.
  const config = {
    endpoint: local.endpoint,
    region: local.region,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'anything' },
  };
  return { local, sfn: new SFNClient(config), events: new EventBridgeClient(config) };
}

/**
 * The endpoint for a describe block (filled in before its first test): after each test every event and
 * execution has settled and no clone is left in its simulator.
 */
export function useLocalAws(defaults?: Record<string, number>): LocalAwsClients {
  const t = {} as LocalAwsClients;
  beforeAll(async () => {
    Object.assign(t, await startLocalAwsWithClients(defaults));
  });
  afterEach(async () => {
    await t.local.bus.idle();
    await t.local.executions.idle();
    expect(t.local.simulator.clones().map((c) => c.name)).toEqual([]);
  });
  afterAll(async () => {
    await t.local?.stop();
  });
  return t;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function readyWait(sfn: SFNClient, executionArn: string): Promise<ReadyWait> {
  return until(`the Ready wait of ${executionArn}`, () => readReadyWait(sfn, executionArn));
}

/** Waits until the execution has left RUNNING and returns its description. */
export async function finished(sfn: SFNClient, executionArn: string) {
  return until(`${executionArn} to finish`, async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  });
}

export function request(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    requesterId: 'test/aws-endpoint',
    namePrefix: 'ci',
    sources: [{ source: 'linux', count: 2 }],
    leaseMinutes: 30,
    ...overrides,
  });
}
