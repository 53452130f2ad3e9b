import type { VsphereClient } from './client.js';
import { deviceChanges } from './nic.js';
import { optionValues } from './soap-values.js';
import type { CloneSpec, InstantCloneSpec, MoRef, RelocateSpec, VirtualMachineConfigSpec } from './types.js';

function relocateSpec(s: RelocateSpec): object {
  return {
    folder: s.folder,
    datastore: s.datastore,
    pool: s.pool,
    host: s.host,
    deviceChange: deviceChanges(s.deviceChange),
  };
}

function configSpec(s: VirtualMachineConfigSpec): object {
  return {
    name: s.name,
    annotation: s.annotation,
    numCPUs: s.numCPUs,
    memoryMB: s.memoryMB,
    deviceChange: deviceChanges(s.deviceChange),
    extraConfig: optionValues(s.extraConfig),
  };
}

/** VirtualMachine.InstantClone_Task (API 6.7); returns the Task. */
export function instantCloneTask(c: VsphereClient, vm: MoRef, spec: InstantCloneSpec): Promise<MoRef> {
  return c.invoke('InstantClone_Task', {
    _this: vm,
    spec: {
      name: spec.name,
      location: relocateSpec(spec.location),
      config: optionValues(spec.config),
      biosUuid: spec.biosUuid,
    },
  });
}

/** VirtualMachine.CloneVM_Task; returns the Task. */
export function cloneVmTask(
  c: VsphereClient,
  vm: MoRef,
  folder: MoRef,
  name: string,
  spec: CloneSpec,
): Promise<MoRef> {
  return c.invoke('CloneVM_Task', {
    _this: vm,
    folder,
    name,
    spec: {
      location: relocateSpec(spec.location),
      template: spec.template,
      config: spec.config && configSpec(spec.config),
      powerOn: spec.powerOn,
      snapshot: spec.snapshot,
      memory: spec.memory,
    },
  });
}

/** VirtualMachine.ReconfigVM_Task; returns the Task. */
export function reconfigVmTask(c: VsphereClient, vm: MoRef, spec: VirtualMachineConfigSpec): Promise<MoRef> {
  return c.invoke('ReconfigVM_Task', { _this: vm, spec: configSpec(spec) });
}

/** VirtualMachine.PowerOffVM_Task; returns the Task. */
export function powerOffVmTask(c: VsphereClient, vm: MoRef): Promise<MoRef> {
  return c.invoke('PowerOffVM_Task', { _this: vm });
}

/** ManagedEntity.Destroy_Task; returns the Task. */
export function destroyTask(c: VsphereClient, entity: MoRef): Promise<MoRef> {
  return c.invoke('Destroy_Task', { _this: entity });
}
