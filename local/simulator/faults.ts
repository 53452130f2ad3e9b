// vSphere faults raised by handlers, and run-time fault injection per method.
import type { FaultRule } from './types.js';
import { enumv, int, type MoRef, Obj, str, type Val } from './values.js';

export class SimFault extends Error {
  constructor(
    readonly faultName: string,
    message: string,
    readonly fields: [string, Val | undefined][] = [],
  ) {
    super(message);
  }
  detail(): Obj {
    return new Obj(this.faultName, this.fields);
  }
}

export const notFound = (ref: MoRef) =>
  new SimFault(
    'ManagedObjectNotFound',
    `The object '${ref.type}:${ref.value}' has already been deleted or has not been completely created`,
    [['obj', ref]],
  );
export const invalidState = (msg = 'The operation is not allowed in the current state.') =>
  new SimFault('InvalidState', msg);
export const invalidPowerState = (requested: string, existing: string) =>
  new SimFault(
    'InvalidPowerState',
    `The attempted operation cannot be performed in the current state (${existing}).`,
    [
      ['requestedState', enumv('VirtualMachinePowerState', requested)],
      ['existingState', enumv('VirtualMachinePowerState', existing)],
    ],
  );
/** A pathSet entry the type does not have (PropertyCollector.RetrievePropertiesEx / CreateFilter). */
export const invalidProperty = (name: string) =>
  new SimFault('InvalidProperty', `A specified property was invalid: ${name}`, [['name', str(name)]]);
/** A deviceChange entry that cannot be applied, by its index in the spec. */
export const invalidDeviceSpec = (index: number, message: string) =>
  new SimFault('InvalidDeviceSpec', message, [['deviceIndex', int(index)]]);
export const invalidArgument = (prop: string) =>
  new SimFault('InvalidArgument', `A specified parameter was not correct: ${prop}`, [
    ['invalidProperty', str(prop)],
  ]);

/** Holds the injected fault rules; `take` consumes one hit for a method call. */
export class FaultInjector {
  private rules: FaultRule[] = [];
  constructor(
    initial: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    for (const r of initial) this.add(r);
  }
  add(rule: FaultRule): void {
    if (!rule.method || !rule.fault) throw new Error('fault rule needs method and fault');
    // The name becomes an xsi:type in the SOAP fault, so it must be a type name (it can come from /sim/control).
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(rule.fault))
      throw new Error(`fault '${rule.fault}' is not a vim25 type name`);
    this.rules.push({ ...rule });
  }
  clear(): void {
    this.rules = [];
  }
  take(method: string): SimFault | undefined {
    for (const r of this.rules) {
      if (r.method !== method && r.method !== '*') continue;
      if (r.count !== undefined && r.count <= 0) continue;
      if (r.probability !== undefined && this.random() >= r.probability) continue;
      if (r.count !== undefined) r.count--;
      return new SimFault(r.fault, r.message ?? `Injected fault ${r.fault} on ${method}`);
    }
    return undefined;
  }
}
