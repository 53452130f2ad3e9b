// Tools report guest.net on their guest-info poll, or at once on `vmware-toolbox-cmd info update network`:
// real SOAP against the simulator, with the interval set so that the poll is either out of reach or near.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './index.js';
import { RawSoap, sleep } from './test-helpers.js';
import { PollTicks, pollPhase } from './tools-guest-info.js';
import type { RunningSimulator, SimulatorOptions } from './types.js';

const TIME_SCALE = 0.01;
const GUEST_OPS_UNAVAILABLE_MS = 20_000;
const PAST_WINDOW_MS = GUEST_OPS_UNAVAILABLE_MS * TIME_SCALE + 50;
/** two DHCP lease times at this time scale (13.7 s × 0.01 + 10 %) */
const TWO_LEASE_TIMES_MS = 2 * 13_700 * TIME_SCALE * 1.1;

/** A clone, its guest.net watched through a property filter (CreateFilter + WaitForUpdatesEx). */
async function watchedClone(c: RawSoap, src: string, name: string) {
  const vm = await c.instantClone(src, name, true);
  await c.call(
    'CreateFilter',
    `<_this type="PropertyCollector">propertyCollector</_this><spec><propSet><type>VirtualMachine</type><all>false</all><pathSet>guest.net</pathSet><pathSet>guest.ipAddress</pathSet><pathSet>guest.hostName</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm}</obj><skip>false</skip></objectSet></spec><partialUpdates>false</partialUpdates>`,
  );
  let version = '';
  /** the next update (the first call: the whole state), or '' when maxWaitSeconds ran out */
  const next = async (maxWaitSeconds: number) => {
    const r = await c.call(
      'WaitForUpdatesEx',
      `<_this type="PropertyCollector">propertyCollector</_this><version>${version}</version><options><maxWaitSeconds>${maxWaitSeconds}</maxWaitSeconds></options>`,
    );
    version = /<version>([^<]+)</.exec(r.xml)?.[1] ?? version;
    return r.xml.includes('<changeSet') ? r.xml : '';
  };
  const remove = async () => {
    await c.task('PowerOffVM_Task', vm);
    await c.task('Destroy_Task', vm);
  };
  return { vm, next, remove };
}

/** A simulator at this file's time scale, logged in over raw SOAP. */
async function loggedIn(options: SimulatorOptions): Promise<{ sim: RunningSimulator; c: RawSoap }> {
  const sim = await startSimulator({
    https: false,
    timeScale: TIME_SCALE,
    guestOpsUnavailableMs: GUEST_OPS_UNAVAILABLE_MS,
    ...options,
  });
  const c = new RawSoap(sim);
  await c.login();
  return { sim, c };
}

const net = (c: RawSoap, vm: string) => c.props('VirtualMachine', vm, ['guest.net', 'guest.ipAddress']);

describe('Tools gather guest.net on a poll far away (interval 10⁶ s)', () => {
  let sim: RunningSimulator;
  let c: RawSoap;
  beforeAll(async () => {
    ({ sim, c } = await loggedIn({ guestInfoPollIntervalMs: 1e9 }));
  });
  afterAll(() => sim.stop());

  it('a lease the guest holds stays out of guest.net until `info update network`, which pushes it at once', async () => {
    const src = await c.find(sim.sources.linux);
    const w = await watchedClone(c, src, 'far-1');
    expect(await w.next(1)).toContain('<ipAddress>198.18.0.11</ipAddress>'); // the source's, from memory
    await sleep(PAST_WINDOW_MS);
    expect(
      await c.runToEnd(w.vm, 'linux', '/bin/sh', "-c 'hostnamectl set-hostname far-1; dhclient ens192'"),
    ).toBe(0);
    const lease = sim.stats().leases.find((l) => l.vm === 'far-1');
    expect(lease?.ip).toMatch(/^198\.1[89]\./);
    expect(sim.clones().find((v) => v.name === 'far-1')?.ips).toEqual([lease?.ip]); // the guest holds it
    await sleep(TWO_LEASE_TIMES_MS);
    expect(await w.next(0)).toBe(''); // nothing pushed
    const stale = await net(c, w.vm);
    expect(stale).not.toContain(`${lease?.ip}`);
    expect(stale).toContain('<ipAddress>198.18.0.11</ipAddress>');

    const pushed = w.next(10);
    expect(await c.runToEnd(w.vm, 'linux', '/bin/sh', "-c 'vmware-toolbox-cmd info update network'")).toBe(0);
    const update = await pushed;
    expect(update).toContain(
      `<ipAddress>${lease?.ip}</ipAddress><prefixLength>24</prefixLength><origin>dhcp</origin>`,
    );
    expect(update).toContain(
      `<name>guest.ipAddress</name><op>assign</op><val xsi:type="xsd:string">${lease?.ip}</val>`,
    );
    // `info update network` sends NIC info only; the host name waits for the poll
    expect(update).not.toContain('<name>guest.hostName</name>');
    expect(await c.props('VirtualMachine', w.vm, ['guest.hostName'])).toContain('>ic-src-linux<');
    expect(sim.clones().find((v) => v.name === 'far-1')?.hostName).toBe('far-1');
    await w.remove();
  });

  it('Windows: VMwareToolboxCmd.exe info update network, the workflow refresh script ends with it', async () => {
    const src = await c.find(sim.sources.windows);
    const w = await watchedClone(c, src, 'far-win-1');
    await w.next(1);
    await sleep(PAST_WINDOW_MS);
    const cmd = 'C:\\Windows\\System32\\cmd.exe';
    expect(await c.runToEnd(w.vm, 'windows', cmd, '/c "ipconfig /renew Ethernet0 > NUL"')).toBe(0);
    const lease = sim.stats().leases.find((l) => l.vm === 'far-win-1');
    expect(await net(c, w.vm)).not.toContain(`${lease?.ip}`);
    const pushed = w.next(10);
    const toolbox = '"C:\\Program Files\\VMware\\VMware Tools\\VMwareToolboxCmd.exe" info update network';
    expect(await c.runToEnd(w.vm, 'windows', cmd, `/c "${toolbox} > NUL 2>&1"`)).toBe(0);
    expect(await pushed).toContain(`<ipAddress>${lease?.ip}</ipAddress>`);
    await w.remove();
  });
});

describe('Tools older than 10.1 (toolsVersions), poll far away', () => {
  let sim: RunningSimulator;
  let c: RawSoap;
  beforeAll(async () => {
    ({ sim, c } = await loggedIn({ guestInfoPollIntervalMs: 1e9, toolsVersions: { linux: '10.0.7' } }));
  });
  afterAll(() => sim.stop());

  it("a clone inherits its source's Tools: `info update network` is an unknown command, guest.net stays stale", async () => {
    const src = await c.find(sim.sources.linux);
    const w = await watchedClone(c, src, 'old-tools-1');
    await w.next(1);
    await sleep(PAST_WINDOW_MS);
    expect(await c.runToEnd(w.vm, 'linux', '/bin/sh', "-c 'dhclient ens192'")).toBe(0);
    const lease = sim.stats().leases.find((l) => l.vm === 'old-tools-1');
    expect(sim.clones().find((v) => v.name === 'old-tools-1')?.ips).toEqual([lease?.ip]);
    expect(await c.runToEnd(w.vm, 'linux', '/bin/sh', "-c 'vmware-toolbox-cmd info update network'")).toBe(
      64,
    );
    expect(await w.next(1)).toBe('');
    expect(await net(c, w.vm)).not.toContain(`${lease?.ip}`);
    await w.remove();
  });
});

describe('Tools gather guest.net on their poll (interval 50 s)', () => {
  const INTERVAL_MS = 50_000;
  let sim: RunningSimulator;
  let c: RawSoap;
  beforeAll(async () => {
    ({ sim, c } = await loggedIn({ guestInfoPollIntervalMs: INTERVAL_MS }));
  });
  afterAll(() => sim.stop());

  it('pushes a lease and the new host name at the next poll, with no forced gather', async () => {
    const src = await c.find(sim.sources.linux);
    const w = await watchedClone(c, src, 'near-1');
    expect(await w.next(1)).toContain('<ipAddress>198.18.0.11</ipAddress>');
    await sleep(PAST_WINDOW_MS);
    expect(
      await c.runToEnd(w.vm, 'linux', '/bin/sh', "-c 'hostnamectl set-hostname near-1; dhclient ens192'"),
    ).toBe(0);
    const lease = sim.stats().leases.find((l) => l.vm === 'near-1');
    // the host name and the lease may reach vCenter at one poll or two
    let seen = '';
    for (let i = 0; i < 20 && !(seen.includes(`${lease?.ip}`) && seen.includes('guest.hostName')); i++)
      seen += await w.next(2);
    expect(seen).toContain(`<ipAddress>${lease?.ip}</ipAddress><prefixLength>24</prefixLength>`);
    expect(seen).toContain(
      '<name>guest.hostName</name><op>assign</op><val xsi:type="xsd:string">near-1</val>',
    );
    await w.remove();
  });
});

describe('poll ticks', () => {
  it('a clone of a frozen source gathers first (1 − the source phase) × interval after its resume', () => {
    const phase = pollPhase('ic-src-linux');
    expect(phase).toBeGreaterThanOrEqual(0);
    expect(phase).toBeLessThan(1);
    expect(pollPhase('ic-src-linux')).toBe(phase); // deterministic
    expect(pollPhase('ic-src-windows')).not.toBe(phase);
    const source = PollTicks.running(300, 0, phase);
    const clone = PollTicks.resumed(300, source, true, phase, 10_000);
    expect(clone.nextAt(10_000)).toBeCloseTo(10_000 + (1 - phase) * 300);
    expect(clone.nextAt(10_000 + (1 - phase) * 300 + 1)).toBeCloseTo(10_000 + (2 - phase) * 300);
  });

  it('a clone of a running VM keeps its ticks; interval 0 is no poll', () => {
    const running = new PollTicks(300, 100);
    expect(PollTicks.resumed(300, running, false, 0.5, 1_000).nextAt(1_000)).toBe(1_000);
    expect(PollTicks.resumed(300, running, false, 0.5, 1_001).nextAt(1_001)).toBe(1_300);
    expect(new PollTicks(0, 100).nextAt(5)).toBeUndefined();
  });
});
