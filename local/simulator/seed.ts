// The fixed starting inventory, and SimVm views of VMs for tests.
import type { Sim } from './sim.js';
import type { SimVm } from './types.js';
import type { VmState } from './vm.js';

export function seedInventory(sim: Sim): {
  linux: string;
  linux2: string;
  windows: string;
  notFrozen: string;
  poweredOff: string;
} {
  const [h1 = 'host-21', h2 = 'host-22'] = sim.inv.hosts.map((h) => h.id);
  const add = (
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
    vm.extraConfig.set('guestinfo.ic.source', frozen ? 'true' : 'false');
    vm.extraConfig.set('tools.guest.desktop.autolock', 'FALSE');
    return sim.inv.vmPath(vm);
  };
  return {
    linux: add('ic-src-linux', 'templates', h1, 'linux', true, true, '198.18.0.11'),
    linux2: add('ic-src-linux2', 'templates', h2, 'linux', true, true, '198.18.0.12'),
    windows: add('ic-src-windows', 'templates', h1, 'windows', true, true, '198.18.0.21'),
    notFrozen: add('app-running', 'workloads', h2, 'linux', false, true, '198.18.0.31'),
    poweredOff: add('app-off', 'workloads', h1, 'linux', false, false),
  };
}

export function toSimVm(_sim: Sim, v: VmState): SimVm {
  return {
    moref: { type: 'VirtualMachine', value: v.id },
    name: v.name,
    host: v.hostId,
    powerState: v.powerState,
    frozen: v.frozen,
    isClone: v.isClone,
    extraConfig: Object.fromEntries(v.extraConfig),
    mac: v.nic.mac,
    ip: v.powerState === 'poweredOn' ? v.guestNet.ip : undefined,
  };
}
