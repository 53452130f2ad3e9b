// Small helpers over the vSphere client that the handlers share: reading decoded property values, the first
// NIC, extraConfig as a record, inventory lookups and waiting for tasks within the Lambda's time.
import {
  asArray,
  findByInventoryPath,
  type MoRef,
  type NicBacking,
  retrieveAll,
  retrieveProperties,
  toPropertyMap,
  type VirtualEthernetCard,
  type VsphereClient,
} from '../vsphere/index.js';
import { InvalidRequestError } from './errors.js';
import { awaitTask } from './task-wait.js';

/** Arrays arrive as arrays, single items or `ArrayOfX` wrappers; this flattens all three. */
export function list<T>(value: unknown): T[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value).filter(([k]) => k !== '_type');
    if (entries.length === 1 && Array.isArray(entries[0]?.[1])) return entries[0]?.[1] as T[];
    if ((value as { _type?: string })._type?.startsWith('ArrayOf')) return asArray(entries[0]?.[1] as T);
  }
  return asArray(value as T | T[] | undefined);
}

export function extraConfigOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of list<{ key?: unknown; value?: unknown }>(value)) {
    if (typeof o.key === 'string') out[o.key] = String(o.value ?? '');
  }
  return out;
}

const NIC_TYPE = /^Virtual(Vmxnet\w*|E1000e?|PCNet32|SriovEthernetCard|EthernetCard)$/;

/** The first Ethernet card among `config.hardware.device`, as decoded. */
export function firstNic(devices: unknown): VirtualEthernetCard | undefined {
  return list<VirtualEthernetCard & { _type: string }>(devices).find((d) => NIC_TYPE.test(d._type ?? ''));
}

/** A NIC for a deviceChange edit: the device's identity and placement, a new connectable, no MAC. */
export function nicEdit(
  nic: VirtualEthernetCard,
  connectable: NonNullable<VirtualEthernetCard['connectable']>,
  backing?: NicBacking | null,
): VirtualEthernetCard {
  return {
    _type: nic._type,
    key: nic.key,
    ...(backing ? { backing } : nic.backing ? { backing: nic.backing } : {}),
    connectable,
    ...(nic.controllerKey !== undefined ? { controllerKey: nic.controllerKey } : {}),
    ...(nic.unitNumber !== undefined ? { unitNumber: nic.unitNumber } : {}),
  };
}

export function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

/** SearchIndex paths have no leading slash (`DC0/vm/folder/name`); users often write one. */
export function inventoryPath(path: string): string {
  return path.replace(/^\/+/, '');
}

export function findVm(c: VsphereClient, path: string): Promise<MoRef | undefined> {
  return findByInventoryPath(c, inventoryPath(path));
}

/** The object at a request's inventory path (`field` names it in the error), or InvalidRequest. */
export async function requiredRef(c: VsphereClient, field: string, path: string): Promise<MoRef> {
  const ref = await findVm(c, path);
  if (!ref) throw new InvalidRequestError(`${field}: nothing at inventory path ${path}`);
  return ref;
}

/** Properties of one object (empty record if vCenter returned nothing for it). */
export async function propsOf(
  c: VsphereClient,
  obj: MoRef,
  paths: string[],
): Promise<Record<string, unknown>> {
  return (await retrieveProperties(c, [obj], paths)).get(obj.value) ?? {};
}

/** Several objects' properties (each its own paths) in one RetrievePropertiesEx, keyed by moref value. */
export async function readAll(
  c: VsphereClient,
  targets: { obj: MoRef; paths: string[] }[],
): Promise<Map<string, Record<string, unknown>>> {
  const types = [...new Set(targets.map((t) => t.obj.type))];
  return toPropertyMap(
    await retrieveAll(c, [
      {
        propSet: types.map((type) => ({
          type,
          all: false,
          pathSet: [...new Set(targets.filter((t) => t.obj.type === type).flatMap((t) => t.paths))],
        })),
        objectSet: targets.map((t) => ({ obj: t.obj, skip: false })),
      },
    ]),
  );
}

/**
 * Waits for a task from data (task-wait.ts), leaving the Lambda time to report (at most `capMs`). `kind` names
 * what the task does (its usual time is learned per kind).
 */
export function finishTask(
  c: VsphereClient,
  task: MoRef,
  kind: string,
  remainingMs: number,
  capMs = 600_000,
): Promise<unknown> {
  return awaitTask(c, task, { kind, timeoutMs: Math.max(1_000, Math.min(capMs, remainingMs)) });
}
