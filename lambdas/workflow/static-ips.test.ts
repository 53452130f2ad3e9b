import { describe, expect, it } from 'vitest';
import { parseRequest } from './request.js';
import { hostAddressProblem } from './static-ips.js';
import { testConfig } from './test-config.js';

const config = testConfig();

function message(staticIps: Record<string, unknown>): string {
  const request = {
    requesterId: 'me',
    namePrefix: 'ci',
    sources: [{ source: 'linux', count: 2 }],
    staticIps,
  };
  try {
    parseRequest(request, config);
  } catch (e) {
    expect((e as Error).name).toBe('InvalidRequest');
    return (e as Error).message;
  }
  throw new Error('expected InvalidRequest');
}

const ok = { addresses: ['10.20.0.50', '10.20.0.51'], prefixLength: 24, gateway: '10.20.0.1' };

describe('staticIps validation', () => {
  it('accepts two host addresses on the gateway subnet', () => {
    expect(
      parseRequest(
        { requesterId: 'me', namePrefix: 'ci', sources: [{ source: 'linux', count: 2 }], staticIps: ok },
        config,
      ).staticIps,
    ).toEqual(ok);
  });

  it.each([
    [
      { ...ok, addresses: ['10.20.0.50', '10.20.0.50'] },
      'staticIps.addresses[1]: 10.20.0.50 is already addresses[0]',
    ],
    [
      { ...ok, addresses: ['10.20.0.50', '10.20.0.0'] },
      'staticIps.addresses[1]: 10.20.0.0 is the network address',
    ],
    [
      { ...ok, addresses: ['10.20.0.255', '10.20.0.51'] },
      'staticIps.addresses[0]: 10.20.0.255 is the broadcast address',
    ],
    [
      { ...ok, addresses: ['127.0.0.5', '127.0.0.6'], gateway: '127.0.0.1' },
      'staticIps.gateway: 127.0.0.1 is a loopback address',
    ],
    [{ ...ok, addresses: ['169.254.3.4', '169.254.3.5'], gateway: '169.254.3.1' }, 'is a link-local address'],
    [{ ...ok, addresses: ['224.0.0.5', '224.0.0.6'], gateway: '224.0.0.1' }, 'is a multicast address'],
    [{ ...ok, addresses: ['240.0.0.5', '240.0.0.6'], gateway: '240.0.0.1' }, 'is a reserved address'],
    [{ ...ok, addresses: ['0.0.0.0', '10.20.0.51'] }, 'staticIps.addresses[0]: 0.0.0.0 is in 0.0.0.0/8'],
    [{ ...ok, gateway: '10.21.0.1' }, 'staticIps.gateway: 10.21.0.1 is outside 10.20.0.50/24'],
    [{ ...ok, addresses: ['10.20.0.1', '10.20.0.51'] }, 'staticIps.addresses[0]: 10.20.0.1 is the gateway'],
    [{ ...ok, gateway: '10.20.0.255' }, 'staticIps.gateway: 10.20.0.255 is the broadcast address'],
  ])('refuses %j naming the field', (staticIps, expected) => {
    expect(message(staticIps)).toContain(expected);
  });

  it('leaves /31 and /32 without network and broadcast addresses (RFC 3021)', () => {
    expect(hostAddressProblem('10.0.0.0', 31)).toBeUndefined();
    expect(hostAddressProblem('10.0.0.0', 30)).toContain('network address');
    expect(hostAddressProblem('255.255.255.255', 32)).toContain('reserved');
  });
});
