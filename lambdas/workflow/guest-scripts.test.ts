import { describe, expect, it } from 'vitest';
import { addressesInReport, outputPathFor, refreshProgram, shQuote, smokeProgram } from './guest-scripts.js';

const staticIp = { address: '10.1.0.5', prefixLength: 24, gateway: '10.1.0.1', dns: ['10.1.0.2'] };

describe('refreshProgram', () => {
  it('Linux: reloads vmxnet3, renews with what the guest has, reports to the output file', () => {
    const p = refreshProgram({ os: 'linux', staticIp: null, outputPath: outputPathFor('linux', 'ci-1') });
    expect(p.programPath).toBe('/bin/sh');
    expect(p.arguments).toMatch(/^-c '/);
    for (const s of ['modprobe -r vmxnet3', 'nmcli', 'networkctl renew', 'dhclient', 'ip -4 -o addr show']) {
      expect(p.arguments).toContain(s);
    }
    expect(p.arguments).toContain('/tmp/ic-refresh-ci-1.txt');
    // the body carries no single quote, so it survives sh -c '…'
    expect(p.arguments.slice(4, -1)).not.toContain("'");
  });

  it('Linux static: applies the address instead of DHCP', () => {
    const p = refreshProgram({ os: 'linux', staticIp, outputPath: '/tmp/x' });
    expect(p.arguments).toContain('ip addr add "$IC_IP/$IC_PREFIX"');
    expect(p.arguments).toContain('IC_IP=10.1.0.5');
    expect(p.arguments).not.toContain('dhclient');
  });

  it('Windows: netsh disable/enable of the configured NIC, ipconfig /renew, ipconfig report', () => {
    const p = refreshProgram({ os: 'windows', nicName: 'LAN 2', staticIp: null, outputPath: 'C:\\t\\o.txt' });
    expect(p.programPath).toMatch(/cmd\.exe$/);
    expect(p.arguments).toContain('netsh interface set interface name="LAN 2" admin=disabled');
    expect(p.arguments).toContain('ipconfig /renew "LAN 2"');
    expect(p.arguments).toContain('ipconfig > "C:\\t\\o.txt"');
  });

  it('Windows static: netsh set address with the mask and gateway', () => {
    const p = refreshProgram({ os: 'windows', staticIp, outputPath: 'o' });
    expect(p.arguments).toContain('static 10.1.0.5 255.255.255.0 10.1.0.1');
    expect(p.arguments).not.toContain('/renew');
  });

  it('a per-source refreshCommand replaces the built-in refresh', () => {
    const p = refreshProgram({
      os: 'linux',
      refreshCommand: 'systemctl restart network',
      staticIp: null,
      outputPath: 'o',
    });
    expect(p.arguments).toContain('systemctl restart network');
    expect(p.arguments).not.toContain('dhclient');
  });
});

describe('addressesInReport', () => {
  it('parses ip -o output', () => {
    const text =
      '2: ens192    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic ens192\\ valid_lft 86400sec';
    expect(addressesInReport(text, 'linux')).toEqual(['10.0.0.5']);
  });

  it('parses ipconfig, the named adapter first, with or without (Preferred)', () => {
    const text = [
      'Windows IP Configuration',
      '',
      'Ethernet adapter Other:',
      '   IPv4 Address. . . . . . . . . . . : 192.168.9.9',
      'Ethernet adapter Ethernet0:',
      '   IPv4 Address. . . . . . . . . . . : 10.0.0.6(Preferred)',
    ].join('\r\n');
    expect(addressesInReport(text, 'windows', 'Ethernet0')).toEqual(['10.0.0.6', '192.168.9.9']);
  });
});

describe('smokeProgram and shQuote', () => {
  it('quotes for sh and wraps for cmd', () => {
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(smokeProgram('linux', 'echo ok').arguments).toBe("-c 'echo ok'");
    expect(smokeProgram('windows', 'ver').arguments).toBe('/c "ver"');
  });
});
