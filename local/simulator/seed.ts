// The fixed starting inventory, and SimVm views of VMs for tests.
import { DEFAULT_GUEST_PROFILES, guestProfile } from './guest-profile.js';
import type { Sim } from './sim.js';
import type { SimVm, SourceKey } from './types.js';
import { type VmState, vnicAddresses } from './vm.js';

export function seedInventory(sim: Sim): Record<SourceKey, string> {
  const [h1 = 'host-21', h2 = 'host-22'] = sim.inv.hosts.map((h) => h.id);
  const add = (
    key: SourceKey,
    name: string,
    folder: string,
    hostId: string,
    os: 'linux' | 'windows',
    frozen: boolean,
    on: boolean,
    ip?: string,
  ) => {
    const vm = sim.inv.addVm({
      name,
      folder,
      hostId,
      os,
      powerState: on ? 'poweredOn' : 'poweredOff',
      frozen,
      ip,
    });
    const profile =
      sim.options.guestProfiles?.[key] ?? DEFAULT_GUEST_PROFILES[key as keyof typeof DEFAULT_GUEST_PROFILES];
    if (profile) vm.guestProfile = guestProfile(profile);
    vm.toolsVersion = sim.options.toolsVersions?.[key] ?? vm.toolsVersion;
    vm.extraConfig.set('guestinfo.ic.source', frozen ? 'true' : 'false');
    vm.extraConfig.set('tools.guest.desktop.autolock', 'FALSE');
    return sim.inv.vmPath(vm);
  };
  return {
    linux: add('linux', 'ic-src-linux', 'templates', h1, 'linux', true, true, '198.18.0.11'),
    linux2: add('linux2', 'ic-src-linux2', 'templates', h2, 'linux', true, true, '198.18.0.12'),
    windows: add('windows', 'ic-src-windows', 'templates', h1, 'windows', true, true, '198.18.0.21'),
    notFrozen: add('notFrozen', 'app-running', 'workloads', h2, 'linux', false, true, '198.18.0.31'),
    poweredOff: add('poweredOff', 'app-off', 'workloads', h1, 'linux', false, false),
  };
}

export function toSimVm(sim: Sim, v: VmState): SimVm {
  const held = sim.guests.held(v);
  return {
    moref: { type: 'VirtualMachine', value: v.id },
    name: v.name,
    host: v.hostId,
    powerState: v.powerState,
    frozen: v.frozen,
    isClone: v.isClone,
    extraConfig: Object.fromEntries(v.extraConfig),
    mac: v.nic.mac,
    ip: v.powerState === 'poweredOn' ? held.net.ip : undefined,
    ips: v.powerState === 'poweredOn' ? vnicAddresses(held.net).map((a) => a.ip) : [],
    hostName: held.hostName,
  };
}
