import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { clonesThatFit, estimateLargestState, STATE_PAYLOAD_LIMIT } from './payload-budget.js';
import { planRun } from './plan.js';
import { parseRequest } from './request.js';

// Realistic inventory paths: datacenter, folder tree, one frozen source per host.
const path = (host: string) =>
  `/Frankfurt-Datacenter-01/vm/Continuous-Integration/instant-clone/frozen-sources/ubuntu-22.04-docker-ci-runner-${host}`;
const config = parseConfig(
  JSON.stringify({
    vcenter: { url: 'https://vc.example.com/sdk', secretId: 'ic/vcenter' },
    sources: {
      'ubuntu-docker': {
        paths: [path('esxi-a'), path('esxi-b')],
        os: 'linux',
        guestSecretId: 'ic/guest/linux',
      },
    },
  }),
);

function plan(namePrefix: string, count: number) {
  const request = parseRequest(
    {
      requesterId: 'jenkins/platform/nightly/4711',
      namePrefix,
      sources: [{ source: 'ubuntu-docker', count }],
    },
    config,
  );
  return planRun(request, config, 'nightly-2026-11-30T02-00-00-platform-integration');
}

describe('state payload budget', () => {
  it('grows with names and paths: 200 short-named clones fit, 200 with long names and paths do not', () => {
    const short = plan('ci', 200);
    const long = plan('platform-integration-nightly-linux-x64', 200);
    expect(estimateLargestState(long.run, long.clones)).toBeGreaterThan(
      estimateLargestState(short.run, short.clones),
    );
    expect(estimateLargestState(long.run, long.clones)).toBeGreaterThan(STATE_PAYLOAD_LIMIT);
    const fits = clonesThatFit(long.run, long.clones);
    expect(fits).toBeGreaterThan(100);
    const atLimit = plan('platform-integration-nightly-linux-x64', fits);
    expect(estimateLargestState(atLimit.run, atLimit.clones)).toBeLessThanOrEqual(STATE_PAYLOAD_LIMIT);
    const over = plan('platform-integration-nightly-linux-x64', fits + 1);
    expect(estimateLargestState(over.run, over.clones)).toBeGreaterThan(STATE_PAYLOAD_LIMIT);
  });
});
