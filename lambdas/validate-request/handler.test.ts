import { describe, expect, it } from 'vitest';
import { handler } from './handler.js';

const longPath = (host: string) =>
  `/Frankfurt-Datacenter-01/vm/Continuous-Integration/instant-clone/frozen-sources/windows-2022-build-agent-${host}`;
const context = { getRemainingTimeInMillis: () => 30_000 } as never;
const config = {
  vcenter: { url: 'https://vc.example.com/sdk', secretId: 'ic/vcenter' },
  sources: { windows: { paths: [longPath('a'), longPath('b')], os: 'windows', guestSecretId: 'ic/g' } },
};

describe('ValidateRequest', () => {
  it('fans large fleets out and refuses one whose parent state would cross 256 KiB, naming the quota', async () => {
    process.env.WORKFLOW_CONFIG = JSON.stringify(config);
    const request = {
      requesterId: 'jenkins/platform/nightly/4711',
      namePrefix: 'platform-integration-nightly-windows',
      sources: [{ source: 'windows', count: 3000 }],
    };
    const event = { request, executionName: 'nightly-2026-11-30' };
    await expect(handler(event, context)).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringMatching(/256 KiB per state\): ask for fewer clones per run/),
    });
    // 200 long-named clones were too many for one execution; in slices of 25 they fit
    const fewer = { ...event, request: { ...request, sources: [{ source: 'windows', count: 200 }] } };
    await expect(handler(fewer, context)).resolves.toMatchObject({
      run: { total: 200, sliceSize: 25, slices: [0, 1, 2, 3, 4, 5, 6, 7] },
      // one plan item per source VM: each child plans its own slice
      clones: [{ sourcePath: longPath('a') }, { sourcePath: longPath('b') }],
    });
  });

  it("puts the requester policy's maxClonesHeld (else defaults.maxClonesHeld) into the run for ReserveQuota", async () => {
    const policy = { sources: ['windows'], maxClones: 50, maxLeaseMinutes: 60 };
    process.env.WORKFLOW_CONFIG = JSON.stringify({
      ...config,
      defaults: { maxClonesHeld: 40 },
      requestPolicies: {
        default: policy,
        named: [{ ...policy, name: 'nightly', maxClonesHeld: 12, match: { requesterIds: ['jenkins/.*'] } }],
      },
    });
    const request = (requesterId: string) => ({
      request: { requesterId, namePrefix: 'ci', sources: [{ source: 'windows', count: 2 }] },
      executionName: `x-${requesterId.length}`,
    });
    await expect(handler(request('jenkins/nightly/1'), context)).resolves.toMatchObject({
      run: { maxClonesHeld: 12 },
    });
    await expect(handler(request('github.com/acme'), context)).resolves.toMatchObject({
      run: { maxClonesHeld: 40 },
    });
  });
});
