import type { GuestAuth, MoRef, OptionValue, SelectionSpec, TraversalSpec } from './types.js';

/** node-soap's attributes key; `attributes` itself is a real vim25 property name. */
export const ATTRS = '$attributes';
const XSD = 'http://www.w3.org/2001/XMLSchema';

type SoapObject = Record<string, unknown>;

/** A moref as node-soap writes it: `<x type="VirtualMachine">vm-1</x>`. */
export function mo(ref: MoRef): SoapObject {
  return { [ATTRS]: { type: ref.type }, $value: ref.value };
}

/**
 * Adds `xsi:type` in front of an object's fields, unprefixed as pyVmomi writes it: it resolves
 * to urn:vim25 through the request element's default namespace.
 */
export function typed(type: string, fields: SoapObject): SoapObject {
  return { [ATTRS]: { xsi_type: { type } }, ...fields };
}

/**
 * An anyType value as `xsi:type="xsd:string"`. The literal `xsd` prefix matters: govmomi's
 * decoder (vcsim) matches the string `xsd:string`, not the namespace.
 */
export function xsdString(value: string): SoapObject {
  return { [ATTRS]: { xsi_type: { type: 'string', prefix: 'xsd', xmlns: XSD } }, $value: value };
}

/** Guest credentials as `NamePasswordAuthentication`. */
export function guestAuth(auth: GuestAuth): SoapObject {
  return typed('NamePasswordAuthentication', {
    interactiveSession: auth.interactiveSession ?? false,
    username: auth.username,
    password: auth.password,
  });
}

/** OptionValue list (extraConfig, InstantCloneSpec.config). */
export function optionValues(values: OptionValue[] | undefined): SoapObject[] | undefined {
  return values?.map((v) => ({ key: v.key, value: xsdString(v.value) }));
}

/** SelectionSpec / TraversalSpec tree; a spec with `path` is a TraversalSpec. */
export function selectionSpec(spec: SelectionSpec | TraversalSpec): SoapObject {
  if (!('path' in spec)) return { name: spec.name };
  return typed('TraversalSpec', {
    name: spec.name,
    type: spec.type,
    path: spec.path,
    skip: spec.skip ?? false,
    selectSet: spec.selectSet?.map(selectionSpec),
  });
}

/** Is this value a moref (`{ type, value }` with string fields and nothing else)? */
export function isMoRef(v: unknown): v is MoRef {
  if (typeof v !== 'object' || v === null) return false;
  const keys = Object.keys(v);
  const r = v as Record<string, unknown>;
  return keys.length === 2 && typeof r.type === 'string' && typeof r.value === 'string';
}

/**
 * Converts our plain spec objects to node-soap's input: morefs get a `type` attribute,
 * `_type` becomes `xsi:type`, `undefined` fields are dropped (null would become xsi:nil).
 */
export function toSoap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSoap);
  if (typeof value !== 'object' || value === null) return value;
  if (isMoRef(value)) return mo(value);
  const input = value as SoapObject;
  if (ATTRS in input) {
    const out: SoapObject = {};
    for (const [k, v] of Object.entries(input)) out[k] = k === ATTRS || k === '$value' ? v : toSoap(v);
    return out;
  }
  const out: SoapObject = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === '_type' || v === undefined) continue;
    out[k] = toSoap(v);
  }
  return typeof input._type === 'string' ? typed(input._type, out) : out;
}
