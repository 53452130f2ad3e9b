// Virtual machine state and its vim25 property tree.
import { type GuestProfile, reportedByTools } from './guest-profile.js';
import { Arr, bool, date, enumv, int, long, MoRef, type Obj, obj, str, strs, type Val } from './values.js';

export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';
export type GuestOs = 'linux' | 'windows';

export interface Nic {
  key: number;
  mac: string;
  connected: boolean;
  startConnected: boolean;
  networkId: string;
  networkName: string;
}

export interface GuestAddress {
  ip: string;
  prefix: number;
  origin: 'dhcp' | 'manual' | 'linklayer';
}

export interface GuestNet {
  /** MAC the guest driver currently reports (stale source MAC until a refresh) */
  mac: string;
  /** the vNIC's first address */
  ip?: string;
  prefix: number;
  origin: 'dhcp' | 'manual' | 'linklayer';
  /** further addresses on the vNIC (e.g. a DHCP lease next to a static address) */
  more?: GuestAddress[];
}

/** Every IPv4 address on the vNIC, first one first. */
export function vnicAddresses(g: GuestNet): GuestAddress[] {
  return g.ip ? [{ ip: g.ip, prefix: g.prefix, origin: g.origin }, ...(g.more ?? [])] : [];
}

export interface VmState {
  id: string;
  name: string;
  folderId: string;
  hostId: string;
  poolId: string;
  powerState: PowerState;
  frozen: boolean;
  isClone: boolean;
  os: GuestOs;
  /** `config.hardware.memoryMB` */
  memoryMB: number;
  /** host memory it holds while powered on (an instant clone: a share of its source's; README "Hosts and memory") */
  residentMB: number;
  nic: Nic;
  extraConfig: Map<string, string>;
  guestNet: GuestNet;
  guestNicName: string;
  guestProfile: GuestProfile;
  /** VMware Tools' version in the guest (README "When Tools report"): below 10.1 no `info update network` */
  toolsVersion: string;
  hostName: string;
  /** guest operations refused before this time (ms epoch) */
  guestOpsReadyAt: number;
  sourceIp?: string;
  uuid: string;
  /** ms epoch; config.modified and changeVersion */
  createdAt: number;
}

const GUEST = {
  linux: { guestId: 'ubuntu64Guest', family: 'linuxGuest', full: 'Ubuntu Linux (64-bit)' },
  windows: {
    guestId: 'windows2019srv_64Guest',
    family: 'windowsGuest',
    full: 'Microsoft Windows Server 2019 (64-bit)',
  },
} as const;

/** Every seeded VM's `config.hardware.memoryMB`. */
export const DEFAULT_VM_MEMORY_MB = 4096;

export const guestInfo = (os: GuestOs) => GUEST[os];

export function toolsRunning(vm: VmState, now: number): boolean {
  return vm.powerState === 'poweredOn' && !vm.frozen && now >= vm.guestOpsReadyAt;
}

function nicDevice(vm: VmState): Obj {
  const n = vm.nic;
  return obj('VirtualVmxnet3', {
    key: int(n.key),
    deviceInfo: obj('Description', { label: str('Network adapter 1'), summary: str(n.networkName) }),
    backing: obj('VirtualEthernetCardNetworkBackingInfo', {
      deviceName: str(n.networkName),
      useAutoDetect: bool(false),
      network: new MoRef('Network', n.networkId),
    }),
    connectable: obj('VirtualDeviceConnectInfo', {
      migrateConnect: undefined,
      startConnected: bool(n.startConnected),
      allowGuestControl: bool(true),
      connected: bool(n.connected && vm.powerState === 'poweredOn'),
      status: str('ok'),
    }),
    controllerKey: int(100),
    unitNumber: int(7),
    addressType: str('assigned'),
    macAddress: str(n.mac),
    wakeOnLanEnabled: bool(true),
  });
}

function devices(vm: VmState): Arr {
  return new Arr('VirtualDevice', [
    obj('VirtualPCIController', {
      key: int(100),
      deviceInfo: obj('Description', { label: str('PCI controller 0'), summary: str('PCI controller 0') }),
      busNumber: int(0),
    }),
    obj('VirtualDisk', {
      key: int(2000),
      deviceInfo: obj('Description', { label: str('Hard disk 1'), summary: str('16,777,216 KB') }),
      backing: obj('VirtualDiskFlatVer2BackingInfo', {
        fileName: str(`[datastore1] ${vm.name}/${vm.name}.vmdk`),
        diskMode: str('persistent'),
      }),
      controllerKey: int(1000),
      unitNumber: int(0),
      capacityInKB: long(16777216),
    }),
    nicDevice(vm),
  ]);
}

function guestNetInfo(vm: VmState): Arr {
  if (vm.powerState !== 'poweredOn') return new Arr('GuestNicInfo', []);
  const g = vm.guestNet;
  const nic = (mac: string, addrs: GuestAddress[], device?: number) =>
    obj('GuestNicInfo', {
      network: device === undefined ? undefined : str(vm.nic.networkName),
      ipAddress: strs(addrs.map((a) => a.ip)),
      macAddress: str(mac),
      connected: bool(device === undefined || vm.nic.connected),
      deviceConfigId: int(device ?? -1),
      ipConfig: obj('NetIpConfigInfo', {
        ipAddress: new Arr(
          'NetIpConfigInfoIpAddress',
          addrs.map((a) =>
            obj('NetIpConfigInfoIpAddress', {
              ipAddress: str(a.ip),
              prefixLength: int(a.prefix),
              origin: str(a.origin),
              state: str('preferred'),
            }),
          ),
        ),
      }),
    });
  const others = vm.guestProfile.interfaces
    .filter(reportedByTools)
    .map((i) => nic(i.mac, [{ ip: i.ip, prefix: i.prefix, origin: 'manual' }]));
  return new Arr('GuestNicInfo', [nic(g.mac, vnicAddresses(g), vm.nic.key), ...others]);
}

const vmxPath = (vm: VmState) => `[datastore1] ${vm.name}/${vm.name}.vmx`;

/** VirtualMachineRuntimeInfo with what vim25 requires (the values vcsim reports for a plain VM). */
function runtimeInfo(vm: VmState, host: MoRef): Obj {
  return obj('VirtualMachineRuntimeInfo', {
    host,
    connectionState: enumv('VirtualMachineConnectionState', 'connected'),
    powerState: enumv('VirtualMachinePowerState', vm.powerState),
    faultToleranceState: enumv('VirtualMachineFaultToleranceState', 'notConfigured'),
    toolsInstallerMounted: bool(false),
    numMksConnections: int(0),
    recordReplayState: enumv('VirtualMachineRecordReplayState', 'inactive'),
    onlineStandby: bool(false),
    consolidationNeeded: bool(false),
    instantCloneFrozen: bool(vm.frozen),
  });
}

export function vmProps(vm: VmState, now: number, parentRef: MoRef): Obj {
  const gi = GUEST[vm.os];
  const running = toolsRunning(vm, now);
  const extra = new Arr(
    'OptionValue',
    [...vm.extraConfig].map(([k, v]) => obj('OptionValue', { key: str(k), value: str(v) })),
  );
  const hostRef = new MoRef('HostSystem', vm.hostId);
  const guestIp = vm.powerState === 'poweredOn' ? vm.guestNet.ip : undefined;
  const fields: Record<string, Val | undefined> = {
    name: str(vm.name),
    parent: parentRef,
    resourcePool: new MoRef('ResourcePool', vm.poolId),
    runtime: runtimeInfo(vm, hostRef),
    // Every property vim25 marks required, in pyVmomi's order (fixtures/vim25-types.json).
    config: obj('VirtualMachineConfigInfo', {
      changeVersion: str(new Date(vm.createdAt).toISOString()),
      modified: date(vm.createdAt),
      name: str(vm.name),
      guestFullName: str(gi.full),
      version: str('vmx-19'),
      uuid: str(vm.uuid),
      instanceUuid: str(vm.uuid.split('').reverse().join('')),
      template: bool(false),
      guestId: str(gi.guestId),
      alternateGuestName: str(''),
      files: obj('VirtualMachineFileInfo', { vmPathName: str(vmxPath(vm)) }),
      flags: obj('VirtualMachineFlagInfo', {}),
      defaultPowerOps: obj('VirtualMachineDefaultPowerOpInfo', {}),
      hardware: obj('VirtualHardware', { numCPU: int(2), memoryMB: int(vm.memoryMB), device: devices(vm) }),
      extraConfig: extra,
    }),
    guest: obj('GuestInfo', {
      toolsStatus: str(running ? 'toolsOk' : 'toolsNotRunning'),
      toolsRunningStatus: str(running ? 'guestToolsRunning' : 'guestToolsNotRunning'),
      guestId: str(gi.guestId),
      guestFamily: str(gi.family),
      guestFullName: str(gi.full),
      hostName: str(vm.hostName),
      ipAddress: guestIp ? str(guestIp) : undefined,
      net: guestNetInfo(vm),
      guestOperationsReady: bool(running),
      interactiveGuestOperationsReady: bool(false),
      guestState: str(vm.powerState === 'poweredOn' ? 'running' : 'notRunning'),
    }),
    summary: obj('VirtualMachineSummary', {
      vm: new MoRef('VirtualMachine', vm.id),
      runtime: runtimeInfo(vm, hostRef),
      config: obj('VirtualMachineConfigSummary', {
        name: str(vm.name),
        template: bool(false),
        vmPathName: str(vmxPath(vm)),
        guestId: str(gi.guestId),
      }),
      quickStats: obj('VirtualMachineQuickStats', {
        guestHeartbeatStatus: enumv('ManagedEntityStatus', 'green'),
      }),
      overallStatus: enumv('ManagedEntityStatus', 'green'),
    }),
    network: new Arr('ManagedObjectReference', [new MoRef('Network', vm.nic.networkId)]),
  };
  return obj('VirtualMachine', fields);
}
