import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/workflow/config.js';
import { workflowConfigDocument } from '../../lambdas/workflow/workflow-config-document.js';
import { buildLocalSetup, secretStrings } from '../../local/runner/config.js';
import type { RunningSimulator } from '../../local/simulator/index.js';

/** Only what buildLocalSetup reads from a running simulator. */
const sim = {
  url: 'https://127.0.0.1:4443/sdk',
  username: 'administrator@vsphere.local',
  password: 'vc-secret',
  sources: {
    linux: 'DC0/vm/templates/linux-a',
    linux2: 'DC0/vm/templates/linux-b',
    windows: 'DC0/vm/templates/win',
    notFrozen: 'DC0/vm/workloads/running',
    poweredOff: 'DC0/vm/workloads/off',
  },
  guest: {
    linux: { username: 'root', password: 'l-secret' },
    windows: { username: 'Administrator', password: 'w-secret' },
  },
} as unknown as RunningSimulator;

describe('WORKFLOW_CONFIG for local runs', () => {
  it('passes the workflow config schema, without a single secret in it', () => {
    const { config } = buildLocalSetup({ simulator: sim, defaults: { ipTimeoutSeconds: 30 } });
    const text = JSON.stringify(config);
    const parsed = parseConfig(text);
    expect(parsed.sources.linux).toMatchObject({
      paths: ['DC0/vm/templates/linux-a', 'DC0/vm/templates/linux-b'],
      os: 'linux',
      guestSecretId: 'local/guest/linux',
    });
    expect(parsed.defaults.ipTimeoutSeconds).toBe(30);
    expect(parsed.vcenter).toMatchObject({ url: sim.url, insecure: true, secretId: 'local/vcenter' });
    for (const secret of ['vc-secret', 'l-secret', 'w-secret']) expect(text).not.toContain(secret);
  });

  it('holds the secrets by the ids WORKFLOW_CONFIG names, as the local Parameters and Secrets extension serves them', () => {
    const setup = buildLocalSetup({ simulator: sim });
    const { secrets, config } = setup;
    expect(secrets[config.vcenter.secretId]).toEqual({
      username: 'administrator@vsphere.local',
      password: 'vc-secret',
    });
    expect(secrets[config.sources.linux?.guestSecretId ?? '']).toEqual(sim.guest.linux);
    expect(secrets['local/guest/windows']).toEqual(sim.guest.windows);
    expect(secrets['local/guest/notFrozen']).toEqual(sim.guest.linux);
    expect(JSON.parse(secretStrings(setup)['local/vcenter'] ?? '')).toEqual(secrets['local/vcenter']);
  });

  it('runs against a given vCenter with the given sources and guest accounts only', () => {
    const { config, secrets } = buildLocalSetup({
      vcenter: {
        url: 'https://vc.lab/sdk',
        username: 'svc',
        password: 'p',
        caPem: '-----BEGIN CERTIFICATE-----',
      },
      sources: { ubuntu: { paths: ['/DC/vm/u'], os: 'linux' } },
      guest: { ubuntu: { username: 'ci', password: 'g' } },
    });
    expect(parseConfig(JSON.stringify(config)).vcenter).toEqual({
      url: 'https://vc.lab/sdk',
      caPem: '-----BEGIN CERTIFICATE-----',
      secretId: 'local/vcenter',
    });
    expect(Object.keys(secrets).sort()).toEqual(['local/guest/ubuntu', 'local/vcenter']);
    expect(() =>
      buildLocalSetup({ vcenter: { url: 'https://vc/sdk', username: 'u', password: 'p' } }),
    ).toThrow(/pass `sources`/);
  });

  it('is the document the CDK stack would build for the same deployment (one builder for both)', () => {
    const { config } = buildLocalSetup({
      vcenter: { url: 'https://vc.lab/sdk', username: 'svc', password: 'p' },
      sources: { ubuntu: { paths: ['/DC/vm/u'], os: 'linux', nicName: 'eth0' } },
      guest: { ubuntu: { username: 'ci', password: 'g' } },
      defaults: { maxConcurrency: 3 },
    });
    const asTheStackBuildsIt = workflowConfigDocument(
      {
        deploymentId: 'local',
        vcenter: { url: 'https://vc.lab/sdk', secret: 'local/vcenter' },
        sources: {
          ubuntu: { paths: ['/DC/vm/u'], os: 'linux', nicName: 'eth0', guestSecret: 'local/guest/ubuntu' },
        },
        defaults: { maxConcurrency: 3 },
      },
      { withPolicies: true },
    );
    expect(JSON.parse(JSON.stringify(config))).toEqual(JSON.parse(JSON.stringify(asTheStackBuildsIt)));
  });

  it('refuses a document the handlers would refuse before any handler runs, naming the field', () => {
    expect(() => buildLocalSetup({ simulator: sim, defaults: { maxConcurrency: 0 } })).toThrow(
      expect.objectContaining({
        name: 'InvalidConfig',
        message: expect.stringMatching(/defaults\.maxConcurrency/),
      }),
    );
    expect(() =>
      buildLocalSetup({ simulator: sim, requestPolicies: { default: { sources: 'linux' } } }),
    ).toThrow(/WORKFLOW_CONFIG\.requestPolicies/);
  });
});
