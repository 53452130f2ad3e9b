// The inbound Release detail is exactly what the release handler accepts, and the reaper's report is the
// documented Reaped detail.
import type { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReaper } from '../../lambdas/reaper/handler.js';
import { release } from '../../lambdas/release/handler.js';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  EXAMPLE_DETAILS,
  reapedDetail,
  releaseDetail,
} from '../../lambdas/workflow/events.js';
import { MARKER_DEPLOYMENT, MARKER_LEASE_EXPIRES, MARKER_RUN } from '../../lambdas/workflow/naming.js';
import { type SimulatorWithClient, startSimulatorWithClient } from '../support/simulator-client.js';

function fakeSfn() {
  const sent: SendTaskSuccessCommand[] = [];
  const client = { send: async (command: SendTaskSuccessCommand) => void sent.push(command) } as never;
  return { sent, client };
}

async function handlerAccepts(detail: unknown): Promise<{ ok: boolean; output?: Record<string, unknown> }> {
  const { sent, client } = fakeSfn();
  try {
    await release({ 'detail-type': DETAIL_TYPES.release, detail: detail as never }, client);
    return { ok: true, output: JSON.parse(sent[0]?.input.output ?? '{}') };
  } catch {
    return { ok: false };
  }
}

describe('Instant Clones Release: the documented detail is what the release handler accepts', () => {
  const token = 'AQCEAAAAKgAAAAMAAAAAAAAAAb';
  it.each<[string, unknown]>([
    ['the examples', EXAMPLE_DETAILS.release[1]],
    ['a token alone', { taskToken: token }],
    ['a 1024-character token', { taskToken: 'x'.repeat(1024) }],
    ['releasedBy and reason', { taskToken: token, releasedBy: 'ci#1', reason: 'done' }],
    ['an unknown field (ignored)', { taskToken: token, output: { anything: true } }],
    ['no token', {}],
    ['an empty token', { taskToken: '' }],
    ['a 1025-character token', { taskToken: 'x'.repeat(1025) }],
    ['a numeric token', { taskToken: 42 }],
    ['a null token', { taskToken: null }],
    ['no detail', undefined],
  ])('%s: schema and handler agree', async (_name, detail) => {
    const schema = releaseDetail.safeParse(detail);
    const handler = await handlerAccepts(detail);
    expect(handler.ok).toBe(schema.success);
    if (!schema.success) return;
    // Only the documented optional fields reach the execution (next to the handler's own timestamp).
    const { releasedBy, reason } = schema.data;
    expect(handler.output).toEqual({
      releasedAt: expect.any(String),
      ...(releasedBy === undefined ? {} : { releasedBy }),
      ...(reason === undefined ? {} : { reason }),
    });
  });

  it('rejects a non-string releasedBy or reason, as the schema does', async () => {
    const detail = { taskToken: token, releasedBy: 7, reason: { why: 'x' } };
    expect(releaseDetail.safeParse(detail).success).toBe(false);
    expect(await handlerAccepts(detail)).toEqual({ ok: false });
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
