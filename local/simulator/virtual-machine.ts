// VirtualMachine methods: InstantClone_Task, CloneVM_Task, ReconfigVM_Task, PowerOn/OffVM_Task, Destroy_Task.
import {
  invalidArgument,
  invalidDeviceSpec,
  invalidPowerState,
  invalidState,
  notFound,
  SimFault,
} from './faults.js';
import type { LatencyProfile } from './latency.js';
import type { Sim } from './sim.js';
import { MoRef, str, type Val } from './values.js';
import type { VmState } from './vm.js';
import { child, kids, moOf, textOf, type XNode } from './xml.js';

/** Runs a VM task: latency, injected faults (reported in info.error like vCenter), then `work`. */
function vmTask(
  sim: Sim,
  method: string,
  vm: VmState,
  step: keyof LatencyProfile,
  work: () => Val | undefined,
) {
  return sim.tasks.start(method, new MoRef('VirtualMachine', vm.id), vm.name, async () => {
    await sim.sched.sleep(sim.latency.ms(step));
    const injected = sim.faults.take(method);
    if (injected) throw injected;
    if (!sim.inv.vms.has(vm.id)) throw notFound(new MoRef('VirtualMachine', vm.id));
    return work();
  });
}

/**
 * Guest operations refuse (GuestOperationsUnavailable) until tools come up; then the change of
 * guest.guestOperationsReady is pushed to WaitForUpdatesEx like vCenter does.
 */
function toolsStartLater(sim: Sim, vm: VmState): void {
  vm.guestOpsReadyAt = Date.now() + sim.guestOpsUnavailableMs;
  sim.sched.at(sim.guestOpsUnavailableMs + 1, () => sim.inv.changed());
}

/** Keys of the devices every simulated VM has (see vm.ts devices()). */
const FIXED_DEVICE_KEYS = [100, 2000];

/**
 * An edit or remove of a device key the VM does not have fails the whole reconfigure with InvalidDeviceSpec
 * (deviceIndex = its position in deviceChange), before anything changes, as in vcsim's configureDevices.
 */
function checkDeviceChanges(vm: VmState, changes: XNode[]): void {
  for (const [i, dc] of changes.entries()) {
    const op = textOf(dc, 'operation');
    if (op !== 'edit' && op !== 'remove') continue;
    const key = Number(textOf(child(dc, 'device'), 'key'));
    if (key !== vm.nic.key && !FIXED_DEVICE_KEYS.includes(key))
      throw invalidDeviceSpec(i, `Invalid configuration for device '${i}'.`);
  }
}

function applyDeviceChanges(vm: VmState, changes: XNode[], extraConfigNodes: XNode[]): void {
  checkDeviceChanges(vm, changes);
  for (const dc of changes) {
    const dev = child(dc, 'device');
    const op = textOf(dc, 'operation');
    if (!dev || (op && op !== 'edit')) continue;
    if (Number(textOf(dev, 'key')) !== vm.nic.key) continue;
    const conn = child(dev, 'connectable');
    if (conn) {
      if (textOf(conn, 'connected') !== undefined) vm.nic.connected = textOf(conn, 'connected') === 'true';
      if (textOf(conn, 'startConnected') !== undefined)
        vm.nic.startConnected = textOf(conn, 'startConnected') === 'true';
    }
    const net = moOf(child(child(dev, 'backing'), 'network'));
    const name = textOf(child(dev, 'backing'), 'deviceName');
    if (net?.value) vm.nic.networkId = net.value;
    if (name) vm.nic.networkName = name;
  }
  for (const ov of extraConfigNodes) {
    const key = textOf(ov, 'key');
    if (!key) continue;
    const value = child(ov, 'value')?.text ?? '';
    if (value === '') vm.extraConfig.delete(key);
    else vm.extraConfig.set(key, value);
  }
}

function uniqueName(sim: Sim, folderId: string, name: string): void {
  const dup = [...sim.inv.vms.values()].find((v) => v.folderId === folderId && v.name === name);
  if (dup)
    throw new SimFault('DuplicateName', `The name '${name}' already exists.`, [
      ['name', str(name)],
      ['object', new MoRef('VirtualMachine', dup.id)],
    ]);
}

function instantClone(sim: Sim, call: XNode) {
  const src = sim.vmOf(call);
  const spec = child(call, 'spec');
  const name = textOf(spec, 'name');
  if (!name) throw invalidArgument('spec.name');
  const loc = child(spec, 'location');
  const folderRef = moOf(child(loc, 'folder'));
  if (folderRef && !sim.inv.folders.has(folderRef.value)) throw notFound(folderRef);
  const folderId = folderRef?.value ?? src.folderId;
  return vmTask(sim, 'InstantClone_Task', src, 'instantClone', () => {
    if (src.powerState !== 'poweredOn')
      throw invalidState('InstantClone requires the source virtual machine to be powered on or frozen.');
    checkDeviceChanges(src, kids(loc, 'deviceChange'));
    uniqueName(sim, folderId, name);
    const clone = sim.inv.addVm({
      name,
      folder: folderId,
      hostId: src.hostId,
      os: src.os,
      powerState: 'poweredOn',
      frozen: false,
      isClone: true,
      memoryMB: src.memoryMB,
      // Shares its source's pages copy-on-write: only what it writes is its own (README "Hosts and memory").
      residentMB: src.memoryMB * sim.instantCloneMemoryFraction,
    });
    clone.extraConfig = new Map(src.extraConfig);
    clone.nic = { ...src.nic, mac: clone.nic.mac, connected: src.nic.connected };
    // The guest resumes from the source's memory: tools report the source's MAC and IP until a refresh.
    const memory = sim.guests.held(src);
    clone.guestNet = { ...memory.net, more: [...(memory.net.more ?? [])] };
    clone.sourceIp = memory.net.ip;
    clone.hostName = memory.hostName;
    clone.guestNicName = src.guestNicName;
    clone.guestProfile = src.guestProfile;
    clone.toolsVersion = src.toolsVersion;
    applyDeviceChanges(clone, kids(loc, 'deviceChange'), kids(spec, 'config'));
    toolsStartLater(sim, clone);
    sim.guests.resume(clone, src);
    return new MoRef('VirtualMachine', clone.id);
  });
}

function cloneVm(sim: Sim, call: XNode) {
  const src = sim.vmOf(call);
  const name = textOf(call, 'name') ?? '';
  const folder = sim.target(call, 'folder');
  const spec = child(call, 'spec');
  return vmTask(sim, 'CloneVM_Task', src, 'cloneVm', () => {
    checkDeviceChanges(src, [
      ...kids(child(spec, 'location'), 'deviceChange'),
      ...kids(child(spec, 'config'), 'deviceChange'),
    ]);
    uniqueName(sim, folder.value, name);
    const hostRef = moOf(child(child(spec, 'location'), 'host'));
    const powerOn = textOf(spec, 'powerOn') === 'true';
    const clone = sim.inv.addVm({
      name,
      folder: folder.value,
      hostId: hostRef?.value ?? src.hostId,
      os: src.os,
      powerState: powerOn ? 'poweredOn' : 'poweredOff',
      frozen: false,
      isClone: true,
      extraConfig: Object.fromEntries(src.extraConfig),
      memoryMB: src.memoryMB,
    });
    applyDeviceChanges(
      clone,
      kids(child(spec, 'location'), 'deviceChange'),
      kids(child(spec, 'config'), 'extraConfig'),
    );
    applyDeviceChanges(clone, kids(child(spec, 'config'), 'deviceChange'), []);
    clone.guestNet = {
      mac: clone.nic.mac,
      prefix: 24,
      origin: 'dhcp',
      ip: powerOn && clone.nic.connected ? sim.dhcp.allocate() : undefined,
    };
    toolsStartLater(sim, clone);
    return new MoRef('VirtualMachine', clone.id);
  });
}

export function registerVirtualMachine(sim: Sim): void {
  sim.register({
    InstantClone_Task: (s, call) => instantClone(s, call),
    CloneVM_Task: (s, call) => cloneVm(s, call),
    ReconfigVM_Task: (s, call) => {
      const vm = s.vmOf(call);
      const spec = child(call, 'spec');
      return vmTask(s, 'ReconfigVM_Task', vm, 'reconfig', () => {
        applyDeviceChanges(vm, kids(spec, 'deviceChange'), kids(spec, 'extraConfig'));
        s.inv.changed();
        return undefined;
      });
    },
    PowerOffVM_Task: (s, call) => {
      const vm = s.vmOf(call);
      return vmTask(s, 'PowerOffVM_Task', vm, 'powerOff', () => {
        // vcsim's powerVMTask: requestedState is the state asked for, existingState the current one.
        if (vm.powerState === 'poweredOff') throw invalidPowerState('poweredOff', 'poweredOff');
        vm.powerState = 'poweredOff';
        vm.frozen = false;
        vm.guestNet = { mac: vm.nic.mac, prefix: 24, origin: 'dhcp' };
        s.inv.changed();
        return undefined;
      });
    },
    PowerOnVM_Task: (s, call) => {
      const vm = s.vmOf(call);
      return vmTask(s, 'PowerOnVM_Task', vm, 'powerOn', () => {
        if (vm.powerState === 'poweredOn') throw invalidPowerState('poweredOff', 'poweredOn');
        vm.powerState = 'poweredOn';
        vm.guestNet = {
          mac: vm.nic.mac,
          prefix: 24,
          origin: 'dhcp',
          ip: vm.nic.startConnected ? s.dhcp.allocate() : undefined,
        };
        vm.nic.connected = vm.nic.startConnected;
        s.guests.boot(vm);
        toolsStartLater(s, vm);
        s.inv.changed();
        return undefined;
      });
    },
    Destroy_Task: (s, call) => {
      const vm = s.vmOf(call);
      return vmTask(s, 'Destroy_Task', vm, 'destroy', () => {
        if (vm.powerState !== 'poweredOff') throw invalidPowerState('poweredOff', vm.powerState);
        s.inv.vms.delete(vm.id);
        s.guests.drop(vm.id);
        s.inv.changed();
        return undefined;
      });
    },
  });
}
