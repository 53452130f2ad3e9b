// The run-scoped teardown as the stack's execution-status rule invokes it: an "Execution Status Change" event
// for an ABORTED execution removes exactly that run's clones of this deployment, and keeps searching for a
// clone that appears late (its InstantClone still running when the execution stopped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareSecretsExtension } from '../../local/runner/secrets-extension.js';
import { type SimulatorWithClient, startSimulatorWithClient } from '../../test/support/simulator-client.js';
import { resolveCloneScope } from '../reaper/scope.js';
import { parseConfig } from '../workflow/config.js';
import { MARKER_DEPLOYMENT, MARKER_LEASE_EXPIRES, MARKER_RUN, runIdOf } from '../workflow/naming.js';
import { handler } from './handler.js';
import { tearDownRunClones } from './tear-down-run.js';

const EXECUTION = 'nightly-2026-11-30';
const lease = new Date(Date.now() + 3_600_000).toISOString();

function statusChange(status: string, stopDate: number) {
  return {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: { name: EXECUTION, status, stopDate, executionArn: `arn:aws:states:::execution:sm:${EXECUTION}` },
  };
}

describe('TeardownRun', () => {
  let env: SimulatorWithClient;
  let releaseSecrets: () => Promise<void>;
  beforeAll(async () => {
    env = await startSimulatorWithClient();
    // The vCenter account comes from the local Parameters and Secrets extension, as on AWS.
    releaseSecrets = await shareSecretsExtension({
      'test/vcenter': JSON.stringify({ username: env.sim.username, password: env.sim.password }),
    });
    process.env.WORKFLOW_CONFIG = JSON.stringify({
      vcenter: { url: env.sim.url, insecure: true, secretId: 'test/vcenter' },
      sources: {},
      deploymentId: 'stack-a',
      cloneFolders: ['DC0/vm/clones'],
    });
  });
  afterAll(async () => {
    await releaseSecrets();
    await env.stop();
  });

  const plant = (name: string, runId: string, deployment = 'stack-a') =>
    env.sim.plantVm({
      name,
      extraConfig: { [MARKER_RUN]: runId, [MARKER_DEPLOYMENT]: deployment, [MARKER_LEASE_EXPIRES]: lease },
    });

  it('an ABORTED execution: its clones are destroyed at once, other runs and other stacks are kept', async () => {
    const run = runIdOf(EXECUTION);
    plant(`ci-${run}-01`, run);
    plant(`ci-${run}-02`, run);
    plant('ci-other-01', 'other');
    plant(`ci-${run}-99`, run, 'stack-b');
    const context = { getRemainingTimeInMillis: () => 900_000 };
    // Stopped long enough ago that no late clone can come: one search.
    const report = await handler(statusChange('ABORTED', Date.now() - 3_600_000), context as never);
    expect(report.destroyed.sort()).toEqual([`ci-${run}-01`, `ci-${run}-02`]);
    expect(report.failed).toEqual([]);
    expect(report.searches).toBe(1);
    const left = env.sim.inventory().map((v) => v.name);
    expect(left).toEqual(expect.arrayContaining(['ci-other-01', `ci-${run}-99`]));
    expect(left).not.toContain(`ci-${run}-01`);
  });

  it('searches again until the late-clone window has passed', async () => {
    const config = parseConfig(process.env.WORKFLOW_CONFIG);
    const scope = await resolveCloneScope(env.client, config);
    plant('late-01', 'late');
    let planted = false;
    const report = await tearDownRunClones(env.client, 'late', scope, {
      until: Date.now() + 3_000,
      pauseMs: 200,
      remaining: () => {
        // A clone whose InstantClone task ends after the first search.
        if (!planted) {
          planted = true;
          setTimeout(() => plant('late-02', 'late'), 50);
        }
      },
    });
    expect(report.destroyed.sort()).toEqual(['late-01', 'late-02']);
    expect(report.searches).toBeGreaterThan(1);
  });
});
