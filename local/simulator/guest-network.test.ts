import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './index.js';
import { RawSoap, sleep } from './test-helpers.js';
import type { RunningSimulator } from './types.js';

// The window after a clone in which guest operations answer GuestOperationsUnavailable: 1 s at this time scale,
// long enough that a loaded machine still makes its first guest call inside it.
const GUEST_OPS_UNAVAILABLE_MS = 100_000;
const PAST_WINDOW_MS = GUEST_OPS_UNAVAILABLE_MS * 0.01 + 50;

describe('guest network model', () => {
  let sim: RunningSimulator;
  let c: RawSoap;
  let src: string;
  beforeAll(async () => {
    sim = await startSimulator({
      https: false,
      timeScale: 0.01,
      guestOpsUnavailableMs: GUEST_OPS_UNAVAILABLE_MS,
    });
    c = new RawSoap(sim);
    await c.login();
    src = await c.find(sim.sources.linux);
  });
  afterAll(() => sim.stop());

  const net = (vm: string) => c.props('VirtualMachine', vm, ['guest.net', 'config.hardware.device']);

  it('shows the source stale IP until the guest network is refreshed, then a DHCP lease on the new MAC', async () => {
    const clone = await c.instantClone(src, 'stale-1', true);
    const before = await net(clone);
    expect(before).toContain('<ipAddress>198.18.0.11</ipAddress>');
    const mac = sim.clones().find((v) => v.name === 'stale-1')?.mac as string;
    expect(before).toContain(`<macAddress>${mac}</macAddress>`); // the device has the new MAC
    await sleep(PAST_WINDOW_MS);
    // Tools send guest.net on their poll; `info update network` sends it now (tools-guest-info.test.ts)
    const refresh = "-c 'dhclient ens192 && hostname -I > /tmp/ip; vmware-toolbox-cmd info update network'";
    expect(await c.runToEnd(clone, 'linux', '/bin/sh', refresh)).toBe(0);
    const after = await net(clone);
    const lease = sim.stats().leases.find((l) => l.vm === 'stale-1');
    expect(lease?.ip).toMatch(/^198\.1[89]\./);
    expect(after).toContain(
      `<ipAddress>${lease?.ip}</ipAddress><prefixLength>24</prefixLength><origin>dhcp</origin><state>preferred</state>`,
    );
    expect(after).not.toContain('198.18.0.11');
  });

  it('gives a disconnected NIC no lease; a failing dhclient exits non-zero', async () => {
    const clone = await c.instantClone(src, 'disc-1', false);
    await sleep(PAST_WINDOW_MS);
    expect(await c.runToEnd(clone, 'linux', '/bin/sh', "-c 'dhclient ens192'")).toBe(2);
    expect(sim.stats().leases.some((l) => l.vm === 'disc-1')).toBe(false);
    expect(await net(clone)).not.toMatch(/<ipAddress>198\.1[89]\.1\./);
  });

  it('answers GuestOperationsUnavailable right after a clone, InvalidGuestLogin for a bad password', async () => {
    const clone = await c.instantClone(src, 'ops-1', true);
    expect((await c.startProgram(clone, 'linux', '/bin/true', '')).fault).toBe('GuestOperationsUnavailable');
    await sleep(PAST_WINDOW_MS);
    expect((await c.startProgram(clone, 'linux', '/bin/true', '', 'nope')).fault).toBe('InvalidGuestLogin');
    expect(await c.runToEnd(clone, 'linux', '/bin/sh', "-c 'frobnicate'")).toBe(127);
    expect(await c.runToEnd(clone, 'linux', '/bin/sh', "-c 'true; exit 3'")).toBe(3);
  });

  it('link-local mode yields 169.254.x.y with origin linklayer; static IP shows origin manual', async () => {
    sim.setDhcp('linkLocal');
    const clone = await c.instantClone(src, 'll-1', true);
    await sleep(PAST_WINDOW_MS);
    await c.runToEnd(clone, 'linux', '/bin/sh', "-c 'networkctl renew ens192'");
    await sleep(200);
    await c.runToEnd(clone, 'linux', '/bin/sh', "-c 'vmware-toolbox-cmd info update network'");
    expect(await net(clone)).toMatch(
      /<ipAddress>169\.254\.\d+\.\d+<\/ipAddress><prefixLength>16<\/prefixLength><origin>linklayer<\/origin>/,
    );
    sim.setDhcp('up');
    const st = await c.instantClone(src, 'static-1', true);
    await sleep(PAST_WINDOW_MS);
    expect(
      await c.runToEnd(
        st,
        'linux',
        '/bin/sh',
        "-c 'ip addr flush dev ens192; ip addr add 10.9.8.7/24 dev ens192; vmware-toolbox-cmd info update network'",
      ),
    ).toBe(0);
    expect(await net(st)).toContain(
      '<ipAddress>10.9.8.7</ipAddress><prefixLength>24</prefixLength><origin>manual</origin>',
    );
  });
});
