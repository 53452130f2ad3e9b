// Issue-2 figures: one full instant clone (find, clone, reconnect NIC, guest refresh, IP, power off,
// destroy) driven by the lambdas/vsphere client alone against the simulator — round trips and ms.

import {
  destroyTask,
  findByInventoryPath,
  instantCloneTask,
  listProcessesInGuest,
  type MoRef,
  powerOffVmTask,
  reconfigVmTask,
  retrieveProperties,
  startProgramInGuest,
  VsphereClient,
  VsphereFault,
  waitForProperty,
  waitForTask,
} from '../lambdas/vsphere/index.js';
import type { RunningSimulator } from '../local/simulator/index.js';

export interface ClientCloneFigures {
  roundTrips: number;
  ms: number;
  steps: { step: string; roundTrips: number; ms: number }[];
  ip?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface GuestNic {
  macAddress?: string;
  ipConfig?: {
    ipAddress?: { ipAddress: string; origin?: string }[] | { ipAddress: string; origin?: string };
  };
  ipAddress?: string[] | string;
}

function usableIp(net: unknown, mac: string): string | undefined {
  const nics = (Array.isArray(net) ? net : net ? [net] : []) as GuestNic[];
  for (const nic of nics.filter((n) => n.macAddress === mac)) {
    const addrs = [nic.ipAddress ?? []].flat();
    const ip = addrs.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith('169.254.'));
    if (ip) return ip;
  }
  return undefined;
}

export async function clientClone(sim: RunningSimulator, timeScale: number): Promise<ClientCloneFigures> {
  const steps: ClientCloneFigures['steps'] = [];
  const started = Date.now();
  let c: VsphereClient | undefined;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const before = c?.roundTrips ?? 0;
    const r = await fn();
    steps.push({ step: name, roundTrips: (c?.roundTrips ?? 0) - before, ms: Date.now() - t });
    return r;
  };
  // RetrieveServiceContent + Login: counted once the client exists.
  c = await step('connect (RetrieveServiceContent + Login)', () =>
    VsphereClient.connect({ url: sim.url, username: sim.username, password: sim.password, insecure: true }),
  );
  const client = c;
  const connectStep = steps[0];
  if (connectStep) connectStep.roundTrips = client.roundTrips;
  const source = await step('find source', async () => {
    const ref = await findByInventoryPath(client, sim.sources.linux.replace(/^\//, ''));
    if (!ref) throw new Error(`source ${sim.sources.linux} not found`);
    const props = await retrieveProperties(
      client,
      [ref],
      ['config.hardware.device', 'runtime.instantCloneFrozen'],
    );
    return { ref, props: props.get(ref.value) ?? {} };
  });
  const devices = [source.props['config.hardware.device'] ?? []].flat() as Record<string, unknown>[];
  const nic = devices.find((d) => typeof d.macAddress === 'string');
  if (!nic) throw new Error('source has no NIC');
  const nicEdit = (connected: boolean) => [
    {
      operation: 'edit' as const,
      device: {
        ...(nic as object),
        connectable: {
          migrateConnect: connected ? undefined : 'disconnect',
          startConnected: true,
          allowGuestControl: true,
          connected,
        },
      } as never,
    },
  ];
  const clone = await step('InstantClone_Task', async () => {
    const task = await instantCloneTask(client, source.ref, {
      name: `bench-client-${Date.now()}`,
      location: { deviceChange: nicEdit(false) },
      config: [{ key: 'guestinfo.ic.run', value: 'bench' }],
    });
    return (await waitForTask(client, task)) as MoRef;
  });
  await step('ReconfigVM_Task (NIC connected)', async () =>
    waitForTask(client, await reconfigVmTask(client, clone, { deviceChange: nicEdit(true) })),
  );
  const auth = sim.guest.linux;
  await step('guest refresh (StartProgramInGuest + ListProcessesInGuest)', async () => {
    let pid: number | undefined;
    while (pid === undefined) {
      try {
        pid = await startProgramInGuest(client, clone, auth, {
          programPath: '/bin/sh',
          arguments: '-c "ip link set eth0 down; ip link set eth0 up; dhclient -r eth0; dhclient eth0"',
        });
      } catch (e) {
        if (!(e instanceof VsphereFault) || e.faultName !== 'GuestOperationsUnavailable') throw e;
        await sleep(Math.max(10, 500 * timeScale));
      }
    }
    // Poll with backoff (0.25 s doubling to 2 s, simulated): few round trips, at most 2 s late.
    for (let k = 0; ; k++) {
      const [p] = await listProcessesInGuest(client, clone, auth, [pid]);
      if (p?.endTime) return p.exitCode;
      await sleep(Math.max(5, Math.min(2000, 250 * 2 ** k) * timeScale));
    }
  });
  const mac = await retrieveProperties(client, [clone], ['config.hardware.device']).then((m) => {
    const devs = [m.get(clone.value)?.['config.hardware.device'] ?? []].flat() as Record<string, unknown>[];
    return String(devs.find((d) => typeof d.macAddress === 'string')?.macAddress ?? '');
  });
  const net = await step('guest.net IP (WaitForUpdatesEx)', () =>
    waitForProperty(client, clone, 'guest.net', (v) => usableIp(v, mac) !== undefined, {
      timeoutMs: 120_000,
    }),
  );
  await step('PowerOffVM_Task', async () => waitForTask(client, await powerOffVmTask(client, clone)));
  await step('Destroy_Task', async () => waitForTask(client, await destroyTask(client, clone)));
  await step('Logout', () => client.close());
  const ip = usableIp(net, mac);
  return { roundTrips: client.roundTrips, ms: Date.now() - started, steps, ...(ip ? { ip } : {}) };
}
