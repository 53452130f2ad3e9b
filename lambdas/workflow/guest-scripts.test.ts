import { describe, expect, it } from 'vitest';
import { addressesInReport, outputPathFor, refreshProgram, shQuote, smokeProgram } from './guest-scripts.js';

const staticIp = { address: '10.1.0.5', prefixLength: 24, gateway: '10.1.0.1', dns: ['10.1.0.2'] };
const mac = '00:50:56:AA:BB:CC';

describe('refreshProgram', () => {
  it('Linux: reloads vmxnet3, renews with what the guest has, reports to the output file', () => {
    const p = refreshProgram({
      os: 'linux',
      mac,
      staticIp: null,
      outputPath: outputPathFor('linux', 'ci-1'),
    });
    expect(p.programPath).toBe('/bin/sh');
    expect(p.arguments).toMatch(/^-c '/);
    for (const s of ['modprobe -r vmxnet3', 'nmcli', 'networkctl renew', 'dhclient', 'ip -4 -o addr show']) {
      expect(p.arguments).toContain(s);
    }
    expect(p.arguments).toContain('/tmp/ic-refresh-ci-1.txt');
    // the body carries no single quote, so it survives sh -c '…'
    expect(p.arguments.slice(4, -1)).not.toContain("'");
  });

  it('Linux: finds the interface by the clone MAC (never the first name in /sys/class/net) and ignores nicName', () => {
    const p = refreshProgram({ os: 'linux', mac, nicName: 'docker0', staticIp: null, outputPath: 'o' });
    expect(p.arguments).toContain('MAC=00:50:56:aa:bb:cc');
    expect(p.arguments).toContain('NIC=$(ip -o link | grep -i "link/ether $MAC "');
    expect(p.arguments).not.toContain('/sys/class/net');
    expect(p.arguments).not.toContain('docker0');
    expect(p.arguments).toContain('exit 97');
  });

  it('Linux: applies guestinfo.ic.hostname before the driver reload starts DHCP', () => {
    const p = refreshProgram({ os: 'linux', mac, staticIp: null, outputPath: 'o' }).arguments;
    expect(p).toContain('info-get guestinfo.ic.hostname');
    expect(p.indexOf('hostnamectl set-hostname')).toBeGreaterThan(0);
    expect(p.indexOf('hostnamectl set-hostname')).toBeLessThan(p.indexOf('modprobe'));
  });

  it('Linux static: the NIC manager gets the address before the driver reload; no DHCP renew is started', () => {
    const p = refreshProgram({ os: 'linux', mac, staticIp, outputPath: '/tmp/x' }).arguments;
    expect(p).toContain('IC_IP=10.1.0.5');
    expect(p).toContain('ipv4.method manual ipv4.addresses "$IC_IP/$IC_PREFIX"');
    expect(p.indexOf('nmcli connection add')).toBeLessThan(p.indexOf('modprobe'));
    const networkd = p.slice(p.indexOf('elif command -v networkctl'));
    expect(networkd.indexOf('MACAddress=%s')).toBeLessThan(networkd.indexOf('modprobe'));
    expect(p).toContain('ip addr add "$IC_IP/$IC_PREFIX"');
    expect(p).toContain('dhclient -x');
    expect(p).not.toMatch(/dhclient -1|networkctl renew|nmcli device reapply/);
  });

  it('Windows: netsh disable/enable of the configured NIC, ipconfig /renew, ipconfig report', () => {
    const p = refreshProgram({
      os: 'windows',
      mac,
      nicName: 'LAN 2',
      staticIp: null,
      outputPath: 'C:\\t\\o.txt',
    });
    expect(p.programPath).toMatch(/cmd\.exe$/);
    expect(p.arguments).toContain('netsh interface set interface name="LAN 2" admin=disabled');
    expect(p.arguments).toContain('ipconfig /renew "LAN 2"');
    expect(p.arguments).toContain('ipconfig /all > "C:\\t\\o.txt"');
  });

  it('both OSes make Tools send guest.net at the end, not at their next poll', () => {
    for (const staticIp_ of [null, staticIp]) {
      const linux = refreshProgram({ os: 'linux', mac, staticIp: staticIp_, outputPath: 'o' }).arguments;
      expect(linux).toContain('vmware-toolbox-cmd info update network');
      const win = refreshProgram({ os: 'windows', mac, staticIp: staticIp_, outputPath: 'o' }).arguments;
      expect(win).toContain('\\VMware Tools\\VMwareToolboxCmd.exe" info update network');
      expect(win.indexOf('info update network')).toBeGreaterThan(win.lastIndexOf('admin=enabled'));
      expect(win.indexOf('info update network')).toBeLessThan(win.indexOf('ipconfig /all'));
    }
  });

  it('Windows static: the static address (DHCP off) is set before the adapter is enabled again', () => {
    const p = refreshProgram({ os: 'windows', mac, staticIp, outputPath: 'o' }).arguments;
    expect(p).toContain('static 10.1.0.5 255.255.255.0 10.1.0.1');
    expect(p.indexOf('static 10.1.0.5')).toBeLessThan(p.indexOf('admin=enabled'));
    expect(p).not.toContain('/renew');
  });

  it('a per-source refreshCommand replaces the built-in refresh', () => {
    const p = refreshProgram({
      os: 'linux',
      mac,
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
    expect(addressesInReport(text, 'linux', mac)).toEqual(['10.0.0.5']);
  });

  it('takes ipconfig /all addresses only from the adapter with the clone MAC', () => {
    const text = [
      'Windows IP Configuration',
      '',
      'Ethernet adapter vEthernet (nat):',
      '   Physical Address. . . . . . . . . : 00-15-5D-01-02-03',
      '   IPv4 Address. . . . . . . . . . . : 172.20.0.1(Preferred)',
      'Ethernet adapter Ethernet0:',
      '   Physical Address. . . . . . . . . : 00-50-56-AA-BB-CC',
      '   IPv4 Address. . . . . . . . . . . : 10.0.0.6(Preferred)',
      '   IPv4 Address. . . . . . . . . . . : 10.0.0.7(Preferred)',
    ].join('\r\n');
    expect(addressesInReport(text, 'windows', mac, 'Ethernet0')).toEqual(['10.0.0.6', '10.0.0.7']);
    expect(addressesInReport(text, 'windows', '00:50:56:00:00:01')).toEqual([]);
  });

  it('falls back to the named adapter when the report has no Physical Address lines', () => {
    const text = [
      'Ethernet adapter Other:',
      '   IPv4 Address. . : 192.168.9.9',
      'Ethernet adapter LAN:',
      '   IPv4 Address. . : 10.0.0.6',
    ].join('\r\n');
    expect(addressesInReport(text, 'windows', mac, 'LAN')).toEqual(['10.0.0.6']);
  });
});

describe('smokeProgram and shQuote', () => {
  it('quotes for sh and wraps for cmd', () => {
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(smokeProgram('linux', 'echo ok').arguments).toBe("-c 'echo ok'");
    expect(smokeProgram('windows', 'ver').arguments).toBe('/c "ver"');
  });
});
