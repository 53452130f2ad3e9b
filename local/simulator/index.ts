// startSimulator(): the contract in docs/adr/0001-module-contracts.md.
import { registerGuestOperations } from './guest-operations.js';
import { guestProfile } from './guest-profile.js';
import { registerPropertyCollector } from './property-collector.js';
import { openFilterCount } from './property-filter.js';
import { registerSearchIndex } from './search-index.js';
import { seedInventory, toSimVm } from './seed.js';
import { listen } from './server.js';
import { registerServiceInstance } from './service-instance.js';
import { registerSessionManager } from './session-manager.js';
import { CREDENTIALS, Sim } from './sim.js';
import type {
  DhcpMode,
  FaultRule,
  GuestProfileName,
  RunningSimulator,
  SimulatorOptions,
  SourceKey,
} from './types.js';
import { registerViewManager } from './view-manager.js';
import { registerVirtualMachine } from './virtual-machine.js';

export type {
  DhcpMode,
  FaultRule,
  GuestCredentials,
  GuestProfileName,
  MoRefLike,
  RunningSimulator,
  SimHost,
  SimStats,
  SimulatorOptions,
  SimVm,
  SourceKey,
} from './types.js';

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new Sim(options);
  for (const reg of [
    registerServiceInstance,
    registerSessionManager,
    registerSearchIndex,
    registerPropertyCollector,
    registerViewManager,
    registerVirtualMachine,
    registerGuestOperations,
  ])
    reg(sim);
  const sources = seedInventory(sim);
  const secure = options.https ?? true;
  const control = (body: Record<string, unknown>) => {
    switch (body.action) {
      case 'injectFault':
        api.injectFault((body.rule ?? body) as FaultRule);
        return { ok: true };
      case 'clearFaults':
        api.clearFaults();
        return { ok: true };
      case 'expireSessions':
        api.expireSessions();
        return { ok: true };
      case 'setDhcp':
        api.setDhcp(body.mode as DhcpMode);
        return { ok: true };
      case 'setGuestProfile':
        api.setGuestProfile(body.source as SourceKey, body.profile as GuestProfileName);
        return { ok: true };
      case 'stats':
        return api.stats();
      case 'inventory':
        return api.inventory();
      case 'hosts':
        return api.hosts();
      default:
        throw new SyntaxError(`unknown action ${String(body.action)}`);
    }
  };
  const server = await listen(sim, options.port ?? 0, secure, control);
  const port = (server.address() as { port: number }).port;
  const api: RunningSimulator = {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}/sdk`,
    username: CREDENTIALS.vcenter.username,
    password: CREDENTIALS.vcenter.password,
    sources,
    guest: { linux: { ...CREDENTIALS.linux }, windows: { ...CREDENTIALS.windows } },
    injectFault: (rule) => sim.faults.add(rule),
    clearFaults: () => sim.faults.clear(),
    expireSessions: () => sim.sessions.expireAll(),
    setDhcp: (mode) => {
      if (!['up', 'down', 'linkLocal'].includes(mode)) throw new Error(`bad DHCP mode ${mode}`);
      sim.dhcp.mode = mode;
    },
    setGuestProfile: (source, profile) => {
      const ref = sim.inv.findByPath(sources[source] ?? '');
      const vm = ref ? sim.inv.vms.get(ref.value) : undefined;
      if (!vm) throw new Error(`unknown source ${source}`);
      vm.guestProfile = guestProfile(profile);
    },
    inventory: () => [...sim.inv.vms.values()].map((v) => toSimVm(sim, v)),
    clones: () => [...sim.inv.vms.values()].filter((v) => v.isClone).map((v) => toSimVm(sim, v)),
    hosts: () =>
      sim.inv.hosts.map((h) => ({
        moref: { type: 'HostSystem', value: h.id },
        name: h.name,
        memoryMB: h.memoryMB,
        usedMB: sim.inv.memoryUsageMB(h),
      })),
    plantVm: (v) => {
      const vm = sim.inv.addVm({
        name: v.name,
        folder: v.folder ?? 'clones',
        hostId: sim.inv.hosts[0]?.id ?? 'host-21',
        os: 'linux',
        powerState: (v.powerState as 'poweredOn') ?? 'poweredOn',
        frozen: false,
        isClone: true,
        extraConfig: v.extraConfig,
      });
      if (vm.powerState === 'poweredOn') vm.guestNet.ip = sim.dhcp.allocate();
      return toSimVm(sim, vm);
    },
    stats: () => ({
      calls: { ...sim.calls },
      maxConcurrent: { ...sim.tasks.maxConcurrent },
      maxConcurrentByKind: sim.operations.maxConcurrent(),
      leases: sim.dhcp.leases.map((l) => ({ ...l })),
      openFilters: openFilterCount(sim),
    }),
    stop: async () => {
      sim.sched.stop();
      sim.sessions.expireAll();
      sim.inv.changed();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
