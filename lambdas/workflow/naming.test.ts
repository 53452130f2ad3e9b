import { describe, expect, it } from 'vitest';
import {
  cloneExtraConfig,
  cloneName,
  hasRunMarker,
  MARKER_DEPLOYMENT,
  MARKER_RUN,
  parentPath,
  runIdOf,
} from './naming.js';

describe('naming', () => {
  it('derives stable names', () => {
    expect(runIdOf('exec-1')).toBe(runIdOf('exec-1'));
    expect(runIdOf('exec-1')).toMatch(/^[0-9a-f]{8}$/);
    expect(cloneName('ci', 'abcd1234', 0, 5)).toBe('ci-abcd1234-01');
    expect(cloneName('ci', 'abcd1234', 99, 120)).toBe('ci-abcd1234-100');
    expect(parentPath('/DC/vm/f/src')).toBe('/DC/vm/f');
  });

  it('writes the markers outside guestinfo.* and what the guest reads (hostname, static IP) into guestinfo', () => {
    const values = cloneExtraConfig({
      runId: 'r1',
      deploymentId: 'stack-a',
      requesterId: 'me',
      leaseExpires: '2026-01-01T00:00:00.000Z',
      index: 0,
      hostname: 'ci-r1-01',
      staticIp: { address: '10.0.0.5', prefixLength: 24, gateway: '10.0.0.1', dns: ['10.0.0.2', '10.0.0.3'] },
    });
    const map = Object.fromEntries(values.map((v) => [v.key, v.value]));
    expect(map).toMatchObject({
      [MARKER_RUN]: 'r1',
      [MARKER_DEPLOYMENT]: 'stack-a',
      'instantclone.leaseExpires': '2026-01-01T00:00:00.000Z',
      'guestinfo.ic.hostname': 'ci-r1-01',
      'guestinfo.ic.ip': '10.0.0.5',
      'guestinfo.ic.dns': '10.0.0.2,10.0.0.3',
    });
    // A guest can set guestinfo.* keys (GuestRPC info-set), so no marker may be one.
    const markers = values.filter((v) => v.key.startsWith('instantclone.')).map((v) => v.key);
    expect(markers).toHaveLength(5);
    expect(values.filter((v) => v.key.startsWith('guestinfo.')).map((v) => v.key)).not.toContain(MARKER_RUN);
    expect(hasRunMarker(map, 'r1')).toBe(true);
    expect(hasRunMarker(map, 'r2')).toBe(false);
  });
});
