import { afterEach, describe, expect, it } from 'vitest';
import { refreshProgram } from '../../lambdas/workflow/guest-scripts.js';
import { Dhcp } from './dhcp.js';
import { Guests } from './guest.js';
import { type GuestProfileName, guestProfile } from './guest-profile.js';
import { commandLine, runScript } from './guest-shell.js';
import { Inventory } from './inventory.js';
import { DEFAULT_LATENCY, Latency, Scheduler } from './latency.js';
import { type VmState, vnicAddresses } from './vm.js';

const STATIC = { address: '10.77.0.50', prefixLength: 24, gateway: '10.77.0.1', dns: ['10.77.0.2'] };
// a lease takes 13.7 s × 0.01 (± 10 %)
const AFTER_LEASE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The static part of the refresh script before this change: the driver reload makes the NIC's manager start
// DHCP, and the static address is added next to it.
const OLD_LINUX_STATIC = [
  'NIC=$(ls /sys/class/net | grep -v "^lo$" | head -n 1)',
  'IC_IP=10.77.0.50',
  'IC_PREFIX=24',
  'modprobe -r vmxnet3 && modprobe vmxnet3',
  'ip link set dev "$NIC" up',
  'ip addr flush dev "$NIC"',
  'ip addr add "$IC_IP/$IC_PREFIX" dev "$NIC"',
].join('\n');

const schedulers: Scheduler[] = [];
afterEach(() => {
  for (const s of schedulers.splice(0)) s.stop();
});

/** A clone-like guest: it still shows the source's MAC and IP; the hardware has a new MAC. */
function guest(profile: GuestProfileName, os: 'linux' | 'windows' = 'linux') {
  const inv = new Inventory('7.0.3');
  const sched = new Scheduler();
  schedulers.push(sched);
  const dhcp = new Dhcp();
  const guests = new Guests(inv, dhcp, new Latency(0.01, DEFAULT_LATENCY), sched);
  const vm: VmState = inv.addVm({
    name: 'clone-01',
    folder: 'clones',
    hostId: 'host-21',
    os,
    powerState: 'poweredOn',
    frozen: false,
    ip: '198.18.0.11',
  });
  vm.guestProfile = guestProfile(profile);
  vm.hostName = 'ic-src-linux';
  vm.extraConfig.set('guestinfo.ic.hostname', 'clone-01');
  vm.nic.mac = '00:50:56:80:99:99';
  const env = guests.env(vm);
  const run = (script: string) => runScript(env, script, Date.now());
  const file = (path: string) => guests.of(vm).files.get(path)?.content;
  const program = (p: { programPath: string; arguments: string }) =>
    runScript(
      env,
      commandLine(os, p.programPath, p.arguments, () => undefined),
      Date.now(),
    );
  // what the guest OS holds (vCenter's guest.net follows at Tools' next gather)
  const held = () => vnicAddresses(guests.held(vm).net).map((a) => a.ip);
  const hostName = () => guests.held(vm).hostName;
  return { vm, env, dhcp, run, file, program, held, hostName };
}

const WHICH_BRANCH = [
  'if command -v nmcli >/dev/null 2>&1 && nmcli -t -f RUNNING general 2>/dev/null | grep -q running; then',
  '  echo networkmanager > /tmp/branch',
  'elif command -v networkctl >/dev/null 2>&1 && networkctl status >/dev/null 2>&1; then',
  '  echo networkd > /tmp/branch',
  '  if false; then echo nested > /tmp/nested; fi',
  'elif command -v dhclient >/dev/null 2>&1; then',
  '  echo dhclient > /tmp/branch',
  'else',
  '  echo none > /tmp/branch',
  'fi',
].join('\n');

describe('guest shell: if/elif/else and command -v are evaluated', () => {
  it.each([
    ['rhel-networkmanager', 'networkmanager'],
    ['ubuntu-networkd', 'networkd'],
    ['debian-ifupdown', 'dhclient'],
  ] as const)('%s takes the %s branch, and only that one', (profile, branch) => {
    const g = guest(profile);
    expect(g.run(WHICH_BRANCH).exitCode).toBe(0);
    expect(g.file('/tmp/branch')).toBe(`${branch}\n`);
    expect(g.file('/tmp/nested')).toBeUndefined();
  });

  it('command -v fails for a tool the guest lacks, and calling it exits 127', () => {
    const g = guest('rhel-networkmanager');
    expect(g.run('command -v dhclient').exitCode).toBe(1);
    expect(g.run('command -v nmcli').exitCode).toBe(0);
    expect(g.run('dhclient -1 ens192').exitCode).toBe(127);
    expect(g.run('if command -v dhclient; then exit 5; else exit 6; fi').exitCode).toBe(6);
  });

  it('exec > file truncates once; every later command writes after the one before', () => {
    const g = guest('ubuntu-networkd');
    g.run(
      'echo old > /tmp/x; exec > /tmp/x 2>&1; echo one; vmware-toolbox-cmd info update network; echo two',
    );
    expect(g.file('/tmp/x')).toBe('one\ntwo\n');
  });

  it('break leaves the loop: the rest of its body (a sleep) does not run; without break the body runs once', () => {
    const g = guest('ubuntu-networkd');
    const loop = (cond: string) =>
      `i=0; while [ "$i" -lt 600 ]; do ${cond} && break; i=$((i+1)); sleep 5; done; echo after > /tmp/l`;
    const start = Date.now();
    const broke = runScript(g.env, loop('true'), start);
    expect(g.file('/tmp/l')).toBe('after\n');
    const sleptOnce = runScript(g.env, loop('false'), start);
    // the sleep (5 s × 0.01) is in the second run only
    expect(sleptOnce.endTime - broke.endTime).toBeGreaterThanOrEqual(50);
    expect(broke.endTime - start).toBeLessThan(50);
  });

  it('$( pipelines ) and [ tests ] work as in sh', () => {
    const g = guest('ubuntu-docker-ci');
    g.run(
      'A=$(ip -o link | grep -i "link/ether 02:42:9D:3B:11:01 " | cut -d: -f2 | tr -d " ")\necho "[$A]" > /tmp/a',
    );
    expect(g.file('/tmp/a')).toBe('[docker0]\n');
    expect(g.run('X=1; if [ "$X" -lt 2 ]; then exit 0; fi; exit 9').exitCode).toBe(0);
    expect(g.run('if [ -z "" ]; then exit 4; fi').exitCode).toBe(4);
  });
});

describe('guest network: what a real guest does when a static address follows a driver reload', () => {
  it.each([
    ['ubuntu-networkd', ['10.77.0.50', 'lease']],
    ['debian-ifupdown', ['10.77.0.50', 'lease']],
    ['rhel-networkmanager', ['lease']],
  ] as const)(
    'the old static script on %s ends with the DHCP lease on the NIC',
    async (profile, expected) => {
      const g = guest(profile);
      g.run(OLD_LINUX_STATIC);
      await sleep(AFTER_LEASE_MS);
      const lease = g.dhcp.leases.at(-1)?.ip;
      expect(lease).toMatch(/^198\.1[89]\./);
      expect(g.held()).toEqual(expected.map((x) => (x === 'lease' ? lease : x)));
    },
  );

  it.each(['ubuntu-networkd', 'debian-ifupdown', 'rhel-networkmanager'] as const)(
    'the refresh script on %s: only the static address, no lease',
    async (profile) => {
      const g = guest(profile);
      const r = g.program(
        refreshProgram({ os: 'linux', mac: g.vm.nic.mac, staticIp: STATIC, outputPath: '/tmp/o' }),
      );
      expect(r.exitCode).toBe(0);
      await sleep(AFTER_LEASE_MS);
      expect(g.held()).toEqual(['10.77.0.50']);
      expect(g.vm.guestNet.mac).toBe('00:50:56:80:99:99');
      expect(g.dhcp.leases).toEqual([]);
    },
  );

  it('Windows: a static address turns DHCP off for the adapter, so a lease started by enable never lands', async () => {
    const g = guest('windows-server', 'windows');
    g.run(
      'netsh interface set interface "Ethernet0" enable & netsh interface ipv4 set address name="Ethernet0" static 10.77.0.50 255.255.255.0 10.77.0.1',
    );
    await sleep(AFTER_LEASE_MS);
    expect(g.held()).toEqual(['10.77.0.50']);
    expect(g.dhcp.leases).toEqual([]);
  });
});

describe('guest network: several interfaces and the host name', () => {
  it('with Docker, the first name in /sys/class/net is a bridge; the MAC finds the vNIC', async () => {
    const g = guest('ubuntu-docker-ci');
    g.run('ls /sys/class/net | grep -v "^lo$" | head -n 1 > /tmp/first');
    expect(g.file('/tmp/first')).toBe('br-4f1c2a9e7b30\n');
    const r = g.program(
      refreshProgram({ os: 'linux', mac: g.vm.nic.mac, staticIp: null, outputPath: '/tmp/o' }),
    );
    expect(r.exitCode).toBe(0);
    await sleep(AFTER_LEASE_MS);
    const lease = g.dhcp.leases.at(-1)?.ip;
    expect(g.held()).toEqual([lease]);
  });

  it('the refresh script exits 97 when no interface has the clone MAC', () => {
    const g = guest('ubuntu-networkd');
    const r = g.program(
      refreshProgram({ os: 'linux', mac: '00:50:56:00:00:01', staticIp: null, outputPath: '/tmp/o' }),
    );
    expect(r.exitCode).toBe(97);
  });

  it('hostnamectl / hostname set the name the guest shows and sends with its next DHCP request', async () => {
    const g = guest('ubuntu-networkd');
    g.run('hostnamectl set-hostname ci-x-01; hostname > /tmp/h; dhclient -1 ens192');
    expect(g.file('/tmp/h')).toBe('ci-x-01\n');
    await sleep(AFTER_LEASE_MS);
    expect(g.hostName()).toBe('ci-x-01');
    expect(g.dhcp.leases.at(-1)?.hostname).toBe('ci-x-01');
  });
});
