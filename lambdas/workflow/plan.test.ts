import { describe, expect, it } from 'vitest';
import { planRun } from './plan.js';
import { parseRequest } from './request.js';
import { testConfig } from './test-config.js';

const config = testConfig();
const now = new Date('2026-01-01T00:00:00Z');

describe('planRun', () => {
  it('stamps the lease end as leaseExpires; the reaper adds the provisioning allowance itself', () => {
    const request = parseRequest(
      { requesterId: 'me', namePrefix: 'ci', sources: [{ source: 'linux', count: 1 }], leaseMinutes: 90 },
      config,
    );
    const { run } = planRun(request, config, 'exec-1', now);
    expect(config.defaults.provisioningAllowanceMinutes).toBeGreaterThan(0);
    expect(run.leaseExpires).toBe('2026-01-01T01:30:00.000Z');
  });

  it('spreads clones round-robin over the source paths with deterministic names', () => {
    const request = parseRequest(
      {
        requesterId: 'me',
        namePrefix: 'ci',
        sources: [
          { source: 'linux', count: 3 },
          { source: 'windows', count: 1 },
        ],
      },
      config,
    );
    const a = planRun(request, config, 'exec-1', now);
    const b = planRun(request, config, 'exec-1', now);
    expect(a).toEqual(b);
    expect(a.clones.map((c) => c.sourcePath)).toEqual([
      '/DC/vm/src/linux-a',
      '/DC/vm/src/linux-b',
      '/DC/vm/src/linux-a',
      '/DC/vm/src/win',
    ]);
    expect(a.clones[0]?.name).toMatch(/^ci-[0-9a-f]{8}-01$/);
    expect(a.run).toMatchObject({
      total: 4,
      minReady: 4,
      maxConcurrency: 4,
      leaseSeconds: 1800,
      waitForRelease: true,
    });
    expect(planRun(request, config, 'exec-2', now).run.runId).not.toBe(a.run.runId);
  });

  it('leaseMinutes 0 skips the wait; static addresses go to clones in order', () => {
    const request = parseRequest(
      {
        requesterId: 'me',
        namePrefix: 'ci',
        sources: [{ source: 'linux', count: 2 }],
        leaseMinutes: 0,
        staticIps: { addresses: ['10.0.0.5', '10.0.0.6'], prefixLength: 24, gateway: '10.0.0.1' },
      },
      config,
    );
    const { run, clones } = planRun(request, config, 'exec-1', now);
    expect(run.waitForRelease).toBe(false);
    expect(run.leaseSeconds).toBe(1);
    expect(clones[1]?.staticIp).toEqual({
      address: '10.0.0.6',
      prefixLength: 24,
      gateway: '10.0.0.1',
      dns: [],
    });
  });
});
