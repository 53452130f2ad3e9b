import { describe, expect, it } from 'vitest';
import { cloneExtraConfig, cloneName, hasRunMarker, MARKER_RUN, parentPath, runIdOf } from './naming.js';

describe('naming', () => {
  it('derives stable names', () => {
    expect(runIdOf('exec-1')).toBe(runIdOf('exec-1'));
    expect(runIdOf('exec-1')).toMatch(/^[0-9a-f]{8}$/);
    expect(cloneName('ci', 'abcd1234', 0, 5)).toBe('ci-abcd1234-01');
    expect(cloneName('ci', 'abcd1234', 99, 120)).toBe('ci-abcd1234-100');
    expect(parentPath('/DC/vm/f/src')).toBe('/DC/vm/f');
  });

  it('writes the run marker, lease and static IP to guestinfo', () => {
    const values = cloneExtraConfig({
      runId: 'r1',
      requesterId: 'me',
      leaseExpires: '2026-01-01T00:00:00.000Z',
      index: 0,
      hostname: 'ci-r1-01',
      staticIp: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1', dns: ['10.0.0.2', '10.0.0.3'] },
    });
    const map = Object.fromEntries(values.map((v) => [v.key, v.value]));
    expect(map).toMatchObject({
      [MARKER_RUN]: 'r1',
      'guestinfo.ic.leaseExpires': '2026-01-01T00:00:00.000Z',
      'guestinfo.ic.ip': '10.0.0.5',
      'guestinfo.ic.dns': '10.0.0.2,10.0.0.3',
    });
    expect(hasRunMarker(map, 'r1')).toBe(true);
    expect(hasRunMarker(map, 'r2')).toBe(false);
  });
});
