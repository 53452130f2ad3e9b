import { describe, expect, it } from 'vitest';
import { addressesOnMac, firstUsable, judgeAddresses, selectIp } from './ip-selection.js';

const mac = '00:50:56:aa:bb:cc';
const criteria = { cloneMac: mac, sourceIp: '10.0.0.9' };

describe('selectIp', () => {
  it('takes a preferred, non-link-local IPv4 on the clone’s MAC', () => {
    const nics = [
      {
        macAddress: '00:50:56:00:00:01',
        ipConfig: { ipAddress: [{ ipAddress: '10.0.0.7', state: 'preferred' }] },
      },
      {
        macAddress: mac.toUpperCase(),
        ipConfig: {
          ipAddress: [
            { ipAddress: 'fe80::1', origin: 'linklayer', state: 'preferred' },
            { ipAddress: '169.254.3.4', origin: 'linklayer', state: 'preferred' },
            { ipAddress: '10.0.0.20', origin: 'dhcp', state: 'tentative' },
            { ipAddress: '10.0.0.21', origin: 'dhcp', state: 'preferred' },
          ],
        },
      },
    ];
    expect(selectIp(nics, criteria)).toBe('10.0.0.21');
  });

  it('rejects the source’s stale IP, link-local only, and other MACs', () => {
    expect(selectIp([{ macAddress: mac, ipAddress: ['10.0.0.9'] }], criteria)).toBeNull();
    expect(selectIp([{ macAddress: mac, ipAddress: ['169.254.1.1'] }], criteria)).toBeNull();
    expect(selectIp([{ macAddress: 'other', ipAddress: ['10.0.0.5'] }], criteria)).toBeNull();
    expect(selectIp(undefined, criteria)).toBeNull();
    expect(selectIp([{ macAddress: mac, ipAddress: ['10.0.0.5'] }], criteria)).toBe('10.0.0.5');
  });

  it('firstUsable skips unusable candidates', () => {
    expect(firstUsable(['169.254.0.1', '10.0.0.9', '10.0.0.44'], '10.0.0.9')).toBe('10.0.0.44');
    expect(firstUsable([], null)).toBeNull();
  });
});

describe('addressesOnMac and judgeAddresses', () => {
  const nets = [
    { macAddress: '02:42:5c:1a:7e:02', ipAddress: ['172.18.0.1'] },
    {
      macAddress: mac,
      ipConfig: {
        ipAddress: [
          { ipAddress: '10.77.0.50', origin: 'manual', state: 'preferred' },
          { ipAddress: '169.254.9.9', origin: 'linklayer', state: 'preferred' },
          { ipAddress: '198.18.1.10', origin: 'dhcp', state: 'preferred' },
        ],
      },
    },
  ];

  it('keeps only usable addresses on the clone MAC (a Docker bridge never counts)', () => {
    expect(addressesOnMac(nets, mac)).toEqual(['10.77.0.50', '198.18.1.10']);
    expect(addressesOnMac(nets, '02:42:5c:1a:7e:02')).toEqual(['172.18.0.1']);
  });

  it('a static clone is confirmed only when its static address is the only one', () => {
    expect(judgeAddresses(['10.77.0.50'], criteria, '10.77.0.50')).toEqual({ ip: '10.77.0.50' });
    expect(judgeAddresses(['10.77.0.50', '198.18.1.10'], criteria, '10.77.0.50')).toEqual({
      mismatch: ['10.77.0.50', '198.18.1.10'],
    });
    expect(judgeAddresses(['198.18.1.10'], criteria, '10.77.0.50')).toEqual({ mismatch: ['198.18.1.10'] });
    expect(judgeAddresses(['169.254.1.1'], criteria, '10.77.0.50')).toBeNull();
  });

  it('a DHCP clone takes the first usable address that is not the source’s', () => {
    expect(judgeAddresses(['10.0.0.9', '198.18.1.10'], criteria, null)).toEqual({ ip: '198.18.1.10' });
    expect(judgeAddresses([], criteria, null)).toBeNull();
  });
});
