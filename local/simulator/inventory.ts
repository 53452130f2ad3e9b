// The simulated vCenter inventory: one datacenter, a cluster with two hosts, folders, a pool, a network, VMs.

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DEFAULT_TOOLS_VERSION, guestProfile } from './guest-profile.js';
import { Arr, bool, enumv, int, long, MoRef, type Obj, obj, short, str } from './values.js';
import { DEFAULT_VM_MEMORY_MB, type GuestOs, type PowerState, type VmState, vmProps } from './vm.js';

export interface Folder {
  id: string;
  name: string;
  parent?: string;
  childType: string[];
}

export interface Host {
  id: string;
  name: string;
  /** `summary.config.sslThumbprint`; with HTTPS the server sets it to its certificate's SHA-1 fingerprint. */
  thumbprint: string;
  /** physical memory (`hardware.memorySize` in bytes = this × 2^20) */
  memoryMB: number;
  /** what the hypervisor itself holds; `overallMemoryUsage` adds the powered-on VMs' resident memory */
  baseUsageMB: number;
}

/** Memory of one simulated host (README "Hosts and memory"). */
export interface HostMemory {
  memoryMB?: number;
  baseUsageMB?: number;
}

/** 1.5 TiB: with the workflow's default charge (half of 4096 MB) and headroom, room for about 1,370 `linux` clones. */
export const DEFAULT_HOST_MEMORY_MB = 1536 * 1024;
/** ESXi's own use; vcsim reports 1404 MB on its 4 GB host. */
export const DEFAULT_HOST_BASE_USAGE_MB = 4096;

const ROOT = 'group-d1';
const DC = 'datacenter-2';
const VM_FOLDER = 'group-v3';
const CLUSTER = 'domain-c7';
export const POOL = 'resgroup-8';
const DATASTORE = 'datastore-11';
export const NETWORK = { id: 'network-12', name: 'VM Network' };

export const DC_NAME = 'DC0';

export class Inventory {
  readonly folders = new Map<string, Folder>();
  readonly hosts: Host[];
  readonly vms = new Map<string, VmState>();
  /** bumped on every change; WaitForUpdatesEx wakes on 'change' */
  readonly events = new EventEmitter();
  private nextId = 100;
  private macSeq = 0x100;

  constructor(
    readonly hostVersion: string,
    hostMemory: HostMemory[] = [],
  ) {
    this.events.setMaxListeners(0);
    const f = (id: string, name: string, parent: string | undefined, childType: string[]) =>
      this.folders.set(id, { id, name, parent, childType });
    f(ROOT, 'Datacenters', undefined, ['Folder', 'Datacenter']);
    f(VM_FOLDER, 'vm', DC, ['Folder', 'VirtualMachine', 'VirtualApp']);
    f('group-h4', 'host', DC, ['Folder', 'ComputeResource']);
    f('group-n5', 'network', DC, ['Folder', 'Network']);
    f('group-s6', 'datastore', DC, ['Folder', 'Datastore']);
    for (const name of ['templates', 'workloads', 'clones'])
      f(this.newId('group-v'), name, VM_FOLDER, ['Folder', 'VirtualMachine']);
    const thumb = (n: number) =>
      Array.from({ length: 20 }, (_, i) =>
        ((i * 37 + n * 11) & 0xff).toString(16).padStart(2, '0').toUpperCase(),
      ).join(':');
    const memory = (i: number) => ({
      memoryMB: hostMemory[i]?.memoryMB ?? DEFAULT_HOST_MEMORY_MB,
      baseUsageMB: hostMemory[i]?.baseUsageMB ?? DEFAULT_HOST_BASE_USAGE_MB,
    });
    this.hosts = [
      { id: 'host-21', name: 'esxi-01.sim.local', thumbprint: thumb(1), ...memory(0) },
      { id: 'host-22', name: 'esxi-02.sim.local', thumbprint: thumb(2), ...memory(1) },
    ];
  }

  newId(prefix: string): string {
    return `${prefix}${this.nextId++}`;
  }

  newMac(): string {
    const n = this.macSeq++;
    return `00:50:56:${(0x80 + ((n >> 16) & 0x3f)).toString(16)}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
  }

  changed(): void {
    this.events.emit('change');
  }

  folderByPath(parts: string[]): Folder | undefined {
    let cur = this.folders.get(VM_FOLDER);
    for (const p of parts) {
      cur = [...this.folders.values()].find((x) => x.parent === cur?.id && x.name === p);
      if (!cur) return undefined;
    }
    return cur;
  }

  /** 'DC0/vm/templates/ic-src-linux' → entity */
  findByPath(path: string): MoRef | undefined {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== DC_NAME) return undefined;
    if (parts.length === 1) return new MoRef('Datacenter', DC);
    if (parts[1] === 'host') {
      if (parts.length === 2) return new MoRef('Folder', 'group-h4');
      if (parts[2] !== 'Cluster0') return undefined;
      if (parts.length === 3) return new MoRef('ClusterComputeResource', CLUSTER);
      if (parts.length === 4 && parts[3] === 'Resources') return new MoRef('ResourcePool', POOL);
      const h = this.hosts.find((x) => x.name === parts[3]);
      return h && parts.length === 4 ? new MoRef('HostSystem', h.id) : undefined;
    }
    if (parts[1] === 'network' && parts.length === 3 && parts[2] === NETWORK.name)
      return new MoRef('Network', NETWORK.id);
    if (parts[1] !== 'vm') return undefined;
    const rest = parts.slice(2);
    const folder = this.folderByPath(rest);
    if (folder) return new MoRef('Folder', folder.id);
    const parent = this.folderByPath(rest.slice(0, -1));
    const vm = [...this.vms.values()].find((v) => v.folderId === parent?.id && v.name === rest.at(-1));
    return vm ? new MoRef('VirtualMachine', vm.id) : undefined;
  }

  vmPath(vm: VmState): string {
    const names: string[] = [vm.name];
    let f = this.folders.get(vm.folderId);
    while (f && f.id !== VM_FOLDER) {
      names.unshift(f.name);
      f = f.parent ? this.folders.get(f.parent) : undefined;
    }
    return `${DC_NAME}/vm/${names.join('/')}`;
  }

  addVm(v: {
    name: string;
    folder: string;
    hostId: string;
    os: GuestOs;
    powerState: PowerState;
    frozen: boolean;
    ip?: string;
    isClone?: boolean;
    extraConfig?: Record<string, string>;
    memoryMB?: number;
    /** host memory it holds while powered on; default all of memoryMB */
    residentMB?: number;
  }): VmState {
    const memoryMB = v.memoryMB ?? DEFAULT_VM_MEMORY_MB;
    const folderId = this.folderByPath(v.folder.split('/').filter(Boolean))?.id ?? v.folder;
    const mac = this.newMac();
    const vm: VmState = {
      id: this.newId('vm-'),
      name: v.name,
      folderId,
      hostId: v.hostId,
      poolId: POOL,
      powerState: v.powerState,
      frozen: v.frozen,
      isClone: v.isClone ?? false,
      os: v.os,
      memoryMB,
      residentMB: v.residentMB ?? memoryMB,
      nic: {
        key: 4000,
        mac,
        connected: v.powerState === 'poweredOn',
        startConnected: true,
        networkId: NETWORK.id,
        networkName: NETWORK.name,
      },
      extraConfig: new Map(Object.entries(v.extraConfig ?? {})),
      guestNet: { mac, ip: v.ip, prefix: 24, origin: 'dhcp' },
      guestNicName: v.os === 'windows' ? 'Ethernet0' : 'ens192',
      guestProfile: guestProfile(v.os === 'windows' ? 'windows-server' : 'ubuntu-networkd'),
      toolsVersion: DEFAULT_TOOLS_VERSION,
      hostName: v.name,
      guestOpsReadyAt: 0,
      uuid: randomUUID(),
      createdAt: Date.now(),
    };
    this.vms.set(vm.id, vm);
    this.changed();
    return vm;
  }

  exists(ref: MoRef): boolean {
    switch (ref.type) {
      case 'VirtualMachine':
        return this.vms.has(ref.value);
      case 'Folder':
        return this.folders.has(ref.value);
      case 'HostSystem':
        return this.hosts.some((h) => h.id === ref.value);
      case 'Datacenter':
        return ref.value === DC;
      case 'ClusterComputeResource':
        return ref.value === CLUSTER;
      case 'ResourcePool':
        return ref.value === POOL;
      case 'Network':
        return ref.value === NETWORK.id;
      case 'Datastore':
        return ref.value === DATASTORE;
      default:
        return false;
    }
  }

  /** `summary.quickStats.overallMemoryUsage`: the hypervisor's share plus every powered-on VM's resident memory. */
  memoryUsageMB(host: Host): number {
    let used = host.baseUsageMB;
    for (const v of this.vms.values())
      if (v.hostId === host.id && v.powerState === 'poweredOn') used += v.residentMB;
    return Math.round(used);
  }

  /** Property tree of an inventory object (undefined if it does not exist or is not inventory). */
  props(ref: MoRef, now: number): Obj | undefined {
    if (!this.exists(ref)) return undefined;
    const vmRefs = (pred: (v: VmState) => boolean) =>
      new Arr(
        'ManagedObjectReference',
        [...this.vms.values()].filter(pred).map((v) => new MoRef('VirtualMachine', v.id)),
      );
    const hostRefs = new Arr(
      'ManagedObjectReference',
      this.hosts.map((h) => new MoRef('HostSystem', h.id)),
    );
    switch (ref.type) {
      case 'VirtualMachine': {
        const vm = this.vms.get(ref.value) as VmState;
        return vmProps(vm, now, new MoRef('Folder', vm.folderId));
      }
      case 'Folder': {
        const f = this.folders.get(ref.value) as Folder;
        const kids: MoRef[] = [...this.folders.values()]
          .filter((x) => x.parent === f.id)
          .map((x) => new MoRef('Folder', x.id));
        if (f.id === ROOT) kids.push(new MoRef('Datacenter', DC));
        if (f.id === 'group-h4') kids.push(new MoRef('ClusterComputeResource', CLUSTER));
        if (f.id === 'group-n5') kids.push(new MoRef('Network', NETWORK.id));
        if (f.id === 'group-s6') kids.push(new MoRef('Datastore', DATASTORE));
        for (const v of this.vms.values())
          if (v.folderId === f.id) kids.push(new MoRef('VirtualMachine', v.id));
        return obj('Folder', {
          name: str(f.name),
          parent: f.parent ? new MoRef(f.parent === DC ? 'Datacenter' : 'Folder', f.parent) : undefined,
          childEntity: new Arr('ManagedObjectReference', kids),
          childType: new Arr('string', f.childType.map(str)),
        });
      }
      case 'Datacenter':
        return obj('Datacenter', {
          name: str(DC_NAME),
          parent: new MoRef('Folder', ROOT),
          vmFolder: new MoRef('Folder', VM_FOLDER),
          hostFolder: new MoRef('Folder', 'group-h4'),
          datastoreFolder: new MoRef('Folder', 'group-s6'),
          networkFolder: new MoRef('Folder', 'group-n5'),
          datastore: new Arr('ManagedObjectReference', [new MoRef('Datastore', DATASTORE)]),
          network: new Arr('ManagedObjectReference', [new MoRef('Network', NETWORK.id)]),
        });
      case 'ClusterComputeResource':
        return obj('ClusterComputeResource', {
          name: str('Cluster0'),
          parent: new MoRef('Folder', 'group-h4'),
          resourcePool: new MoRef('ResourcePool', POOL),
          host: hostRefs,
        });
      case 'ResourcePool':
        return obj('ResourcePool', {
          name: str('Resources'),
          parent: new MoRef('ClusterComputeResource', CLUSTER),
          owner: new MoRef('ClusterComputeResource', CLUSTER),
          vm: vmRefs((v) => v.poolId === ref.value),
        });
      case 'Network':
        return obj('Network', {
          name: str(NETWORK.name),
          parent: new MoRef('Folder', 'group-n5'),
          vm: vmRefs(() => true),
        });
      case 'Datastore':
        return obj('Datastore', {
          name: str('datastore1'),
          parent: new MoRef('Folder', 'group-s6'),
          vm: vmRefs(() => true),
        });
      case 'HostSystem': {
        const h = this.hosts.find((x) => x.id === ref.value) as (typeof this.hosts)[number];
        const product = aboutInfo('VMware ESXi', this.hostVersion, 'HostAgent', 'embeddedEsx');
        const memorySize = long(h.memoryMB * 1024 * 1024);
        const system = {
          vendor: str('VMware, Inc.'),
          model: str('VMware Virtual Platform'),
          uuid: str(hostUuid(h.id)),
        };
        return obj('HostSystem', {
          name: str(h.name),
          parent: new MoRef('ClusterComputeResource', CLUSTER),
          summary: obj('HostListSummary', {
            host: new MoRef('HostSystem', h.id),
            // The figures vcsim's esx.HostSystem reports for its one host, except the memory.
            hardware: obj('HostHardwareSummary', {
              ...system,
              memorySize,
              cpuModel: str('Intel(R) Core(TM) i7-3615QM CPU @ 2.30GHz'),
              cpuMhz: int(2294),
              numCpuPkgs: short(2),
              numCpuCores: short(2),
              numCpuThreads: short(2),
              numNics: int(1),
              numHBAs: int(3),
            }),
            config: obj('HostConfigSummary', {
              name: str(h.name),
              port: int(443),
              sslThumbprint: str(h.thumbprint),
              product,
              vmotionEnabled: bool(true),
              faultToleranceEnabled: bool(false),
            }),
            quickStats: obj('HostListSummaryQuickStats', {
              overallMemoryUsage: int(this.memoryUsageMB(h)),
            }),
            overallStatus: enumv('ManagedEntityStatus', 'green'),
            rebootRequired: bool(false),
          }),
          hardware: obj('HostHardwareInfo', {
            systemInfo: obj('HostSystemInfo', system),
            cpuInfo: obj('HostCpuInfo', {
              numCpuPackages: short(2),
              numCpuCores: short(2),
              numCpuThreads: short(2),
              hz: long(2_294_000_000),
            }),
            memorySize,
            smcPresent: bool(false),
          }),
          config: obj('HostConfigInfo', { host: new MoRef('HostSystem', h.id), product }),
          vm: vmRefs((v) => v.hostId === h.id),
        });
      }
      default:
        return undefined;
    }
  }
}

/** A stable SMBIOS-style UUID per host id. */
function hostUuid(id: string): string {
  const n = Number(id.replace(/\D/g, '')) || 0;
  return `4c4c4544-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function aboutInfo(name: string, version: string, productLineId: string, apiType: string): Obj {
  const [maj, min] = version.split('.');
  return obj('AboutInfo', {
    name: str(name),
    fullName: str(`${name} ${version} build-19480866`),
    vendor: str('VMware, Inc.'),
    version: str(version),
    build: str('19480866'),
    localeVersion: str('INTL'),
    localeBuild: str('000'),
    osType: str(apiType === 'VirtualCenter' ? 'linux-x64' : 'vmnix-x86'),
    productLineId: str(productLineId),
    apiType: str(apiType),
    apiVersion: str(`${maj}.${min}.${version.split('.')[2] ?? '0'}.0`),
    instanceUuid: apiType === 'VirtualCenter' ? str('5c1e5b5c-0000-4000-8000-000000000001') : undefined,
    licenseProductName: str(
      apiType === 'VirtualCenter' ? 'VMware VirtualCenter Server' : 'VMware ESX Server',
    ),
    licenseProductVersion: str(`${maj}.0`),
  });
}

export const IDS = { ROOT, DC, VM_FOLDER, CLUSTER, DATASTORE };
