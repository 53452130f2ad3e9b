// The IP a Ready event hands out is the IP the clone holds: static addresses with each Linux network manager
// and on Windows, a static script that starts DHCP (IpMismatch, never Ready), Docker bridges, the hostname.
import { describe, expect, it } from 'vitest';
import { simulatorSources } from '../../local/runner/index.js';
import type { GuestProfileName, RunningSimulator } from '../../local/simulator/index.js';
import { request, summaryOf, useSimulator } from './helpers.js';

const STATIC = { addresses: ['10.77.0.50'], prefixLength: 24, gateway: '10.77.0.1', dns: ['10.77.0.2'] };
// longer than a DHCP lease takes to land at the tests' time scale (13.7 s × 0.01 + 10 %)
const LEASE_DELAY_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function useProfile(sim: RunningSimulator, profile: GuestProfileName): void {
  sim.setGuestProfile('linux', profile);
  sim.setGuestProfile('linux2', profile);
}

/** What the guest holds once the fleet is done (and a lease started by the refresh would have landed). */
function heldBeforeReady(sim: RunningSimulator, seen: { ips: string[]; hostName: string }[]) {
  return {
    taskHook: async ({ state, phase }: { state: string; phase: string }) => {
      if (state !== 'CheckFleet' || phase !== 'before') return;
      await sleep(LEASE_DELAY_MS);
      for (const c of sim.clones()) seen.push({ ips: c.ips, hostName: c.hostName });
    },
  };
}

describe('the IP handed out is the IP the clone holds', () => {
  const t = useSimulator();

  it.each(['ubuntu-networkd', 'rhel-networkmanager', 'debian-ifupdown'] as const)(
    'static on %s: Ready on the static address only, and no DHCP lease lands later',
    async (profile) => {
      useProfile(t.sim, profile);
      const seen: { ips: string[]; hostName: string }[] = [];
      const result = await t.run(request({ staticIps: STATIC }), heldBeforeReady(t.sim, seen));
      expect(result.status).toBe('SUCCEEDED');
      const clone = summaryOf(result).clones[0];
      expect(clone?.ip).toBe('10.77.0.50');
      expect(seen.map((s) => s.ips)).toEqual([['10.77.0.50']]);
      expect(t.sim.stats().leases.filter((l) => l.vm === clone?.name)).toEqual([]);
    },
  );

  it('static on Windows: Ready on the static address only, no lease', async () => {
    const seen: { ips: string[]; hostName: string }[] = [];
    const result = await t.run(
      request({ sources: [{ source: 'windows', count: 1 }], staticIps: STATIC }),
      heldBeforeReady(t.sim, seen),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(summaryOf(result).clones[0]?.ip).toBe('10.77.0.50');
    expect(seen.map((s) => s.ips)).toEqual([['10.77.0.50']]);
  });

  /** The simulator's sources with a staticRefreshCommand on `linux`. */
  function withStaticCommand(command: string) {
    const sources = simulatorSources(t.sim);
    const linux = sources.linux as NonNullable<typeof sources.linux>;
    return { ...sources, linux: { ...linux, staticRefreshCommand: command } };
  }
  const ADD_STATIC =
    'modprobe -r vmxnet3 && modprobe vmxnet3; NIC=$(ip -o link | grep -i "link/ether $MAC " | cut -d: -f2 | tr -d " "); ip addr add "$IC_IP/$IC_PREFIX" dev "$NIC"';

  it('a static script whose DHCP client leases an address too: IpMismatch from the report, nothing Ready', async () => {
    useProfile(t.sim, 'debian-ifupdown');
    const result = await t.run(request({ staticIps: STATIC }), {
      sources: withStaticCommand(`${ADD_STATIC}; dhclient -1 "$NIC"`),
    });
    expect(result.status).toBe('FAILED');
    const clone = summaryOf(result).clones[0];
    expect(clone?.status).not.toBe('ready');
    expect(clone?.error?.name).toBe('IpMismatch');
    expect(clone?.error?.message).toMatch(/holds 10\.77\.0\.50, 198\.1[89]\.\d+\.\d+ after the refresh/);
    expect(result.putEvents.map((e) => e.state)).not.toContain('Ready');
  });

  // The static answer is what guest.net shows when the script has ended (ADR 0008): a lease that lands while
  // the script still runs, after the static address was already there (and maybe shown by Tools' poll), is in
  // the script's own push, so the clone fails. (A lease that lands only after the script ended is seen by
  // neither the push nor the report; WaitForIp no longer looks again for a static address guest.net showed.)
  it('a DHCP lease that lands while the script still runs, after the static address: IpMismatch, nothing Ready', async () => {
    useProfile(t.sim, 'debian-ifupdown');
    const result = await t.run(request({ staticIps: STATIC }), {
      sources: withStaticCommand(`${ADD_STATIC}; dhclient -nw "$NIC"; sleep 20`),
    });
    expect(result.status).toBe('FAILED');
    const clone = summaryOf(result).clones[0];
    expect(clone?.error?.name).toBe('IpMismatch');
    expect(clone?.error?.message).toMatch(/holds 10\.77\.0\.50, 198\.1[89]\.\d+\.\d+ after the refresh/);
    expect(result.putEvents.map((e) => e.state)).not.toContain('Ready');
  });

  it('a CI image with Docker (docker0, br-*): the clone reports its lease on the vNIC, not 172.17/172.18', async () => {
    useProfile(t.sim, 'ubuntu-docker-ci');
    const sources = simulatorSources(t.sim);
    const result = await t.run(request(), {
      // nicName is ignored on Linux: the interface is found by the clone's MAC
      sources: {
        ...sources,
        linux: { ...(sources.linux as NonNullable<typeof sources.linux>), nicName: 'docker0' },
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    const clone = summaryOf(result).clones[0];
    const lease = t.sim.stats().leases.find((l) => l.vm === clone?.name);
    expect(lease?.ip).toMatch(/^198\.1[89]\./);
    expect(clone?.ip).toBe(lease?.ip);
  });

  it.each(['ubuntu-networkd', 'rhel-networkmanager', 'debian-ifupdown'] as const)(
    '%s: the clone name becomes the host name before the DHCP lease, so the lease carries it',
    async (profile) => {
      useProfile(t.sim, profile);
      const seen: { ips: string[]; hostName: string }[] = [];
      const result = await t.run(request(), heldBeforeReady(t.sim, seen));
      expect(result.status).toBe('SUCCEEDED');
      const name = summaryOf(result).clones[0]?.name;
      expect(seen.map((s) => s.hostName)).toEqual([name]);
      const leases = t.sim.stats().leases.filter((l) => l.vm === name);
      expect(leases.length).toBeGreaterThan(0);
      for (const l of leases) expect(l.hostname).toBe(name);
    },
  );
});
