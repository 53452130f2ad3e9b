// Request parsing (namespace-aware, prefix-agnostic) and response serialisation for vim25.
import { DOMParser } from '@xmldom/xmldom';
import { Arr, MoRef, Obj, Prim, type Val } from './values.js';

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** A parsed request element: local names only, xsi:type resolved to its local name. */
export interface XNode {
  name: string;
  xsiType?: string;
  attrs: Record<string, string>;
  text: string;
  children: XNode[];
}

type DomEl = {
  nodeType: number;
  localName: string | null;
  nodeName: string;
  childNodes: ArrayLike<DomEl>;
  attributes?: ArrayLike<{
    localName: string | null;
    name: string;
    namespaceURI: string | null;
    value: string;
  }>;
  nodeValue: string | null;
};

function convert(el: DomEl): XNode {
  const node: XNode = { name: el.localName ?? el.nodeName, attrs: {}, text: '', children: [] };
  for (const a of Array.from(el.attributes ?? [])) {
    const local = a.localName ?? a.name;
    if (a.namespaceURI === XSI && local === 'type') node.xsiType = a.value.split(':').pop();
    else if (!a.name.startsWith('xmlns')) node.attrs[local] = a.value;
  }
  for (const c of Array.from(el.childNodes)) {
    if (c.nodeType === 1) node.children.push(convert(c));
    else if (c.nodeType === 3 || c.nodeType === 4) node.text += c.nodeValue ?? '';
  }
  return node;
}

export class BadRequest extends Error {}

/** Returns the first element of soap Body (the method call). */
export function parseEnvelope(xml: string): XNode {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level: string, msg: string) => {
      if (level !== 'warning') errors.push(msg);
    },
  }).parseFromString(xml, 'text/xml') as unknown as { documentElement: DomEl | null };
  const root = doc.documentElement;
  if (!root || errors.length) throw new BadRequest(`malformed XML: ${errors[0] ?? 'no root'}`);
  const env = convert(root);
  const body = env.children.find((c) => c.name === 'Body');
  if (env.name !== 'Envelope' || !body) throw new BadRequest('not a SOAP envelope');
  const call = body.children[0];
  if (!call) throw new BadRequest('empty SOAP body');
  return call;
}

export const child = (n: XNode | undefined, name: string) => n?.children.find((c) => c.name === name);
export const kids = (n: XNode | undefined, name: string) => n?.children.filter((c) => c.name === name) ?? [];
export const textOf = (n: XNode | undefined, name: string) => child(n, name)?.text.trim();
export const moOf = (n: XNode | undefined): MoRef | undefined =>
  n ? new MoRef(n.attrs.type ?? '', n.text.trim()) : undefined;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const xsiOf = (v: Val): string => {
  if (v instanceof MoRef) return 'ManagedObjectReference';
  if (v instanceof Obj) return v.type;
  if (v instanceof Prim) return v.xsdType;
  return `ArrayOf${v.itemType.charAt(0).toUpperCase()}${v.itemType.slice(1)}`;
};

/**
 * Serialises one named value. At anyType positions every value carries xsi:type; elsewhere data
 * objects always carry it (harmless, and needed wherever a subtype sits at a base-typed position).
 */
export function ser(name: string, v: Val | undefined, anyType = false): string {
  if (v === undefined) return '';
  if (v instanceof Arr) {
    if (anyType) {
      const inner = v.items.map((i) => ser(itemElement(v.itemType), i, false)).join('');
      return `<${name} xsi:type="${xsiOf(v)}">${inner}</${name}>`;
    }
    return v.items.map((i) => ser(name, i, false)).join('');
  }
  const xsi = anyType || v instanceof Obj ? ` xsi:type="${xsiOf(v)}"` : '';
  if (v instanceof MoRef) return `<${name}${xsi} type="${v.type}">${esc(v.value)}</${name}>`;
  if (v instanceof Prim) return `<${name}${xsi}>${esc(v.value)}</${name}>`;
  const body = v.fields.map(([k, f]) => ser(k, f, isAnyField(v.type, k))).join('');
  return `<${name}${xsi}>${body}</${name}>`;
}

const itemElement = (itemType: string) => (itemType === 'MoRef' ? 'ManagedObjectReference' : itemType);

// anyType fields of the data objects we emit
function isAnyField(type: string, field: string): boolean {
  return (
    (field === 'val' && type === 'DynamicProperty') ||
    (field === 'value' && type === 'OptionValue') ||
    (field === 'result' && type === 'TaskInfo') ||
    (field === 'val' && type === 'PropertyChange')
  );
}

const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" ' +
  'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body>\n</soapenv:Envelope>';

/** returnval may be a single value, a list (repeated returnval) or nothing. */
export function responseEnvelope(method: string, ret: Val | undefined): string {
  return `${ENV_OPEN}<${method}Response xmlns="urn:vim25">${ser('returnval', ret)}</${method}Response>${ENV_CLOSE}`;
}

export function faultEnvelope(faultName: string, message: string, detail: Obj): string {
  const inner = detail.fields.map(([k, f]) => ser(k, f, false)).join('');
  return (
    `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${esc(message)}</faultstring>` +
    `<detail><${faultName}Fault xmlns="urn:vim25" xsi:type="${faultName}">${inner}</${faultName}Fault></detail>` +
    `</soapenv:Fault>${ENV_CLOSE}`
  );
}
