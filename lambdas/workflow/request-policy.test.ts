import { describe, expect, it } from 'vitest';
import { parseRequest } from './request.js';
import {
  checkRequestPolicy,
  ipInCidr,
  type Principal,
  requestPoliciesSchema,
  selectPolicy,
  startInputOf,
} from './request-policy.js';
import { testConfig } from './test-config.js';

const policies = requestPoliciesSchema.parse({
  default: { sources: ['linux'], maxClones: 2, maxLeaseMinutes: 60 },
  named: [
    {
      name: 'ci-team',
      match: { requesterIds: ['github\\.com/acme/.*'], principals: ['account:111122223333'] },
      sources: ['linux', 'windows'],
      networks: [{ name: 'CI Network', staticIpRanges: ['10.20.30.64/26'] }],
      folders: ['/DC/vm/ci'],
      pools: ['/DC/host/Cluster/Resources/ci'],
      maxClones: 10,
      maxLeaseMinutes: 240,
      smokeCommand: 'allowed',
    },
    {
      name: 'nightly',
      match: { requesterIds: ['nightly'], principals: ['direct'] },
      sources: ['linux', 'windows'],
      maxClones: 6,
      maxLeaseMinutes: 0,
      smokeCommand: 'smokeAccountOnly',
    },
  ],
});
// The clone folders hold every folder a policy names, so that the policy (not the deployment's scope) decides.
const config = {
  ...testConfig(),
  cloneFolders: ['/DC/vm/src', '/DC/vm/ci', '/DC/vm/ci/team-a', '/DC/vm/ci-other'],
  requestPolicies: policies,
};
const ci: Principal = { kind: 'event', account: '111122223333', source: 'acme.ci' };
const stranger: Principal = { kind: 'event', account: '999988887777', source: 'acme.ci' };
const direct: Principal = { kind: 'direct' };
const ciRequest = {
  requesterId: 'github.com/acme/app/1',
  namePrefix: 'ci',
  sources: [{ source: 'linux', count: 2 }],
};

function denial(request: Record<string, unknown>, principal: Principal): string {
  try {
    checkRequestPolicy(parseRequest(request, config), principal, config);
  } catch (e) {
    expect((e as Error).name).toBe('InvalidRequest');
    return (e as Error).message;
  }
  throw new Error('expected InvalidRequest');
}

describe('request policies', () => {
  it('selects a named policy only when requester id and principal both match, else the default', () => {
    expect(selectPolicy(policies, 'github.com/acme/app/1', ci).name).toBe('ci-team');
    // The same claimed requesterId from another account gets the default policy.
    expect(selectPolicy(policies, 'github.com/acme/app/1', stranger).name).toBe('default');
    expect(selectPolicy(policies, 'github.com/acme/app/1', direct).name).toBe('default');
    // Patterns match the whole requesterId, not a substring.
    expect(selectPolicy(policies, 'evil/github.com/acme/x', ci).name).toBe('default');
    expect(selectPolicy(policies, 'nightly', direct).name).toBe('nightly');
    expect(selectPolicy(policies, 'nightly', ci).name).toBe('default');
  });

  it('passes a request inside its policy and names the policy', () => {
    const request = parseRequest(
      {
        ...ciRequest,
        folder: '/DC/vm/ci/team-a',
        pool: '/DC/host/Cluster/Resources/ci',
        network: 'CI Network',
        staticIps: { addresses: ['10.20.30.70', '10.20.30.71'], prefixLength: 24, gateway: '10.20.30.1' },
        smokeCommand: 'true',
        leaseMinutes: 240,
      },
      config,
    );
    expect(checkRequestPolicy(request, ci, config)).toBe('ci-team');
  });

  it.each<[string, Record<string, unknown>, Principal, string]>([
    [
      'a source the policy lacks',
      { ...ciRequest, sources: [{ source: 'windows', count: 1 }] },
      stranger,
      "sources[0].source: 'windows' is not allowed",
    ],
    [
      'a bigger fleet',
      { ...ciRequest, sources: [{ source: 'linux', count: 3 }] },
      stranger,
      'sources: 3 clones asked for, at most 2',
    ],
    ['a longer lease', { ...ciRequest, leaseMinutes: 61 }, stranger, 'leaseMinutes: is 61, at most 60'],
    ['any folder under the default policy', { ...ciRequest, folder: '/DC/vm/ci' }, stranger, 'folder:'],
    [
      'a sibling folder sharing the prefix',
      { ...ciRequest, folder: '/DC/vm/ci-other' },
      ci,
      "folder: '/DC/vm/ci-other'",
    ],
    ['a pool outside the list', { ...ciRequest, pool: '/DC/host/Cluster/Resources' }, ci, 'pool:'],
    [
      'a port group in another datacenter',
      { ...ciRequest, network: '/DC2/network/CI Network' },
      ci,
      'network:',
    ],
    [
      'static IPs outside the network range',
      {
        ...ciRequest,
        network: 'CI Network',
        staticIps: { addresses: ['10.20.30.70', '10.20.30.200'], prefixLength: 24, gateway: '10.20.30.1' },
      },
      ci,
      'staticIps.addresses[1]: 10.20.30.200 is outside',
    ],
    [
      'static IPs without a named network',
      {
        ...ciRequest,
        staticIps: { addresses: ['10.20.30.70', '10.20.30.71'], prefixLength: 24, gateway: '10.20.30.1' },
      },
      ci,
      'staticIps: static addresses need a network',
    ],
    [
      'a smoke command where forbidden',
      { ...ciRequest, smokeCommand: 'id' },
      stranger,
      'smokeCommand: is not allowed',
    ],
    [
      'a smoke command on a source without a smoke account',
      { ...ciRequest, requesterId: 'nightly', leaseMinutes: 0, smokeCommand: 'id' },
      direct,
      "source 'linux' has no smokeGuestSecret",
    ],
  ])('refuses %s, naming the field and the policy', (_what, request, principal, message) => {
    const text = denial(request, principal);
    expect(text).toContain(message);
    expect(text).toMatch(/request policy '(default|ci-team|nightly)'/);
  });

  it('allows smokeAccountOnly on sources with a smoke account', () => {
    const linux = config.sources.linux;
    const withSmoke = {
      ...config,
      sources: { ...config.sources, linux: { ...linux, smokeGuestSecretId: 'ic/guest/linux-smoke' } },
    } as typeof config;
    const request = parseRequest(
      { ...ciRequest, requesterId: 'nightly', leaseMinutes: 0, smokeCommand: 'id' },
      withSmoke,
    );
    expect(checkRequestPolicy(request, direct, withSmoke)).toBe('nightly');
  });

  it('without configured policies enforces nothing', () => {
    const plain = testConfig();
    expect(
      checkRequestPolicy(parseRequest({ ...ciRequest, network: 'anything' }, plain), direct, plain),
    ).toBeUndefined();
  });

  it('reads the principal only from the envelope the Requested rule builds', () => {
    const bare = { ...ciRequest };
    expect(startInputOf(bare)).toEqual({ request: bare, principal: { kind: 'direct' } });
    const envelope = { request: bare, principal: { account: '111122223333', source: 'acme.ci' } };
    expect(startInputOf(envelope).principal).toEqual(ci);
    // A detail that imitates the envelope is nested under `request` by the rule, so it stays a (bad) request.
    const forged = { request: envelope, principal: { account: '999988887777', source: 'x' } };
    expect(startInputOf(forged).principal).toEqual({ kind: 'event', account: '999988887777', source: 'x' });
    expect(() => parseRequest(startInputOf(forged).request, config)).toThrow('requesterId');
  });

  it('checks the policy document itself', () => {
    const bad = requestPoliciesSchema.safeParse({
      default: {
        sources: ['linux'],
        maxClones: 1,
        maxLeaseMinutes: 10,
        networks: [{ name: 'n', staticIpRanges: ['10.0.0.0/33'] }],
      },
      named: [
        { name: 'x', match: {}, sources: ['linux'], maxClones: 1, maxLeaseMinutes: 1 },
        {
          name: 'y',
          match: { requesterIds: ['('], principals: ['account:12'] },
          sources: ['linux'],
          maxClones: 1,
          maxLeaseMinutes: 1,
        },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        'default.networks.0.staticIpRanges.0',
        'named.0.match',
        'named.1.match.requesterIds.0',
        'named.1.match.principals.0',
      ]),
    );
  });

  it('compares addresses with CIDRs numerically', () => {
    expect(ipInCidr('10.20.30.64', '10.20.30.64/26')).toBe(true);
    expect(ipInCidr('10.20.30.127', '10.20.30.64/26')).toBe(true);
    expect(ipInCidr('10.20.30.128', '10.20.30.64/26')).toBe(false);
    expect(ipInCidr('10.20.30.63', '10.20.30.64/26')).toBe(false);
    expect(ipInCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
  });
});
