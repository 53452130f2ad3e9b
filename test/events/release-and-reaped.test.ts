// The inbound Release detail is exactly what the release handler accepts, and the reaper's report is the
// documented Reaped detail.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runReaper } from '../../lambdas/reaper/handler.js';
import { release } from '../../lambdas/release/handler.js';
import { EXAMPLE_DETAILS } from '../../lambdas/workflow/event-examples.js';
import { DETAIL_TYPES, EVENT_SOURCE, reapedDetail, releaseDetail } from '../../lambdas/workflow/events.js';
import { MARKER_DEPLOYMENT, MARKER_LEASE_EXPIRES, MARKER_RUN } from '../../lambdas/workflow/naming.js';
import { type LocalAwsClients, startLocalAwsWithClients } from '../aws-endpoint/helpers.js';
import { type SimulatorWithClient, startSimulatorWithClient } from '../support/simulator-client.js';

describe('Instant Clones Release: the documented detail is what the release handler accepts', () => {
  let t: LocalAwsClients;
  beforeAll(async () => {
    t = await startLocalAwsWithClients();
  });
  afterAll(async () => {
    await t?.local.stop();
  });

  /** Accepted: the handler went on to look for the run (none exists here); rejected: it threw. */
  async function handlerAccepts(detail: unknown): Promise<boolean> {
    try {
      const result = await release(
        { 'detail-type': DETAIL_TYPES.release, detail },
        { client: t.sfn, stateMachineArn: t.local.stateMachineArn },
      );
      expect(result).toMatchObject({ released: false, reason: 'NoSuchRun' });
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      return false;
    }
  }

  const arn = 'arn:aws:states:us-east-1:000000000000:execution:instant-clone-local:ic-0123456789ab';
  it.each<[string, unknown]>([
    ['the examples', EXAMPLE_DETAILS.release[1]],
    ['a keyed run id alone', { runId: '0123456789ab' }],
    ['an 8-digit run id', { runId: '6e58abfc' }],
    ['an execution ARN', { executionArn: arn }],
    ['releasedBy and reason', { runId: '0123456789ab', releasedBy: 'ci#1', reason: 'done' }],
    ['an unknown field (ignored)', { runId: '0123456789ab', output: { anything: true } }],
    ['a task token instead (no longer accepted)', { taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAAb' }],
    ['neither', {}],
    ['a run id that is not one', { runId: 'ci-123' }],
    ['an ARN of another service', { executionArn: 'arn:aws:lambda:us-east-1:000000000000:function:x' }],
    ['a numeric run id', { runId: 42 }],
    ['no detail', undefined],
  ])('%s: schema and handler agree', async (_name, detail) => {
    expect(await handlerAccepts(detail)).toBe(releaseDetail.safeParse(detail).success);
  });

  it('rejects a non-string releasedBy or reason, as the schema does', async () => {
    const detail = { runId: '0123456789ab', releasedBy: 7, reason: { why: 'x' } };
    expect(releaseDetail.safeParse(detail).success).toBe(false);
    expect(await handlerAccepts(detail)).toBe(false);
  });
});

describe('Instant Clones Reaped: what the reaper sends (against the simulator)', () => {
  let env: SimulatorWithClient;
  beforeEach(async () => {
    env = await startSimulatorWithClient();
  });
  const savedConfig = process.env.WORKFLOW_CONFIG;
  afterEach(async () => {
    await env.stop();
    if (savedConfig === undefined) delete process.env.WORKFLOW_CONFIG;
    else process.env.WORKFLOW_CONFIG = savedConfig;
  });

  it('parses with the documented schema, with the documented source and detail-type', async () => {
    const { sim } = env;
    const longAgo = new Date(Date.now() - 30 * 3_600_000).toISOString();
    const plant = (name: string, leaseExpires: string) =>
      sim.plantVm({
        name,
        powerState: 'poweredOn',
        extraConfig: {
          [MARKER_RUN]: 'run1',
          [MARKER_DEPLOYMENT]: 'stack-a',
          [MARKER_LEASE_EXPIRES]: leaseExpires,
        },
      });
    plant('reaped-a', longAgo);
    plant('reaped-b', longAgo);
    plant('odd-lease', 'tomorrow');
    sim.injectFault({ method: 'Destroy_Task', fault: 'NoPermission', count: 1 });
    process.env.WORKFLOW_CONFIG = JSON.stringify({
      vcenter: { url: sim.url, insecure: true, secretId: 'unused' },
      sources: {},
      deploymentId: 'stack-a',
      cloneFolders: ['DC0/vm/clones'],
      defaults: { provisioningAllowanceMinutes: 60 },
    });
    const sent: { Entries: { Source: string; DetailType: string; Detail: string }[] }[] = [];
    const report = await runReaper({
      credentials: { username: sim.username, password: sim.password },
      events: { send: async (cmd: { input: unknown }) => void sent.push(cmd.input as never) } as never,
      eventBusName: 'bus',
    });
    expect(report.failed).toHaveLength(1);
    expect(report.reaped).toHaveLength(1);
    expect(report.unparseable.map((u) => u.name)).toEqual(['odd-lease']);
    expect(sent).toHaveLength(1);
    const entry = sent[0]?.Entries[0];
    expect(entry?.Source).toBe(EVENT_SOURCE);
    expect(entry?.DetailType).toBe(DETAIL_TYPES.reaped);
    const parsed = reapedDetail.safeParse(JSON.parse(entry?.Detail ?? 'null'));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });
});
