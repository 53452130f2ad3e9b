import { type XmlElement as Element, parseXmlTree } from './xml-tree.js';

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/**
 * Fields vim25 declares as arrays (a single item comes back as one element), as `field` or,
 * where a name means different things in different types, `parent.field`.
 */
const ARRAY_FIELDS = new Set([
  'objects',
  'propSet',
  'missingSet',
  'filterSet',
  'objectSet',
  'changeSet',
  'pathSet',
  'selectSet',
  'device',
  'extraConfig',
  'net',
  'dnsServerList',
  'ipStack',
  'envVariables',
  'childEntity',
  'view',
  'recentTask',
  'faultMessage',
  'dynamicProperty',
  'supportedApiVersion',
  'net.ipAddress',
  'GuestNicInfo.ipAddress',
  'ipConfig.ipAddress',
]);
/** Fields vim25 declares as int/long/short, coerced when they come without xsi:type. */
const NUMBER_FIELDS = new Set([
  'key',
  'controllerKey',
  'unitNumber',
  'pid',
  'exitCode',
  'size',
  'prefixLength',
  'deviceConfigId',
  'progress',
  'numCPU',
  'numCpu',
  'memoryMB',
  'memorySizeMB',
  'eventChainId',
  'connectionCookie',
  'permissions',
  'ownerId',
  'groupId',
  'maxObjects',
  'maxWaitSeconds',
  'maxObjectUpdates',
  'deviceIndex',
]);
/** Fields vim25 declares as boolean. */
const BOOLEAN_FIELDS = new Set([
  'connected',
  'startConnected',
  'allowGuestControl',
  'wakeOnLanEnabled',
  'instantCloneFrozen',
  'guestOperationsReady',
  'interactiveGuestOperationsReady',
  'truncated',
  'template',
  'skip',
  'all',
  'cancelled',
  'cancelable',
  'useAutoDetect',
  'inPassthroughMode',
  'hidden',
  'readOnly',
  'powerOn',
  'uptCompatibilityEnabled',
  'recursive',
  'partialUpdates',
]);
const SCALAR_TYPES: Record<string, (s: string) => unknown> = {
  string: (s) => s,
  boolean: (s) => s === 'true' || s === '1',
  int: Number,
  long: Number,
  short: Number,
  byte: Number,
  float: Number,
  double: Number,
  dateTime: (s) => s,
  base64Binary: (s) => s,
  anyURI: (s) => s,
};

function children(el: Element): Element[] {
  return el.children;
}

/** The element's xsi:type as `{ ns, local }`, resolved through real namespace bindings. */
export function xsiType(el: Element): { ns: string | null; local: string } | undefined {
  const raw = el.getAttributeNS(XSI, 'type');
  if (!raw) return undefined;
  const i = raw.indexOf(':');
  const prefix = i < 0 ? '' : raw.slice(0, i);
  return { ns: el.lookupNamespaceURI(prefix), local: i < 0 ? raw : raw.slice(i + 1) };
}

function coerceByName(name: string, text: string): unknown {
  if (NUMBER_FIELDS.has(name) && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (BOOLEAN_FIELDS.has(name) && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Decodes one vim25 element into plain JS: morefs `{type,value}`, data objects with `_type`. */
export function decodeElement(el: Element, name = el.localName): unknown {
  const xt = xsiType(el);
  const kids = children(el);
  if (xt?.local.startsWith('ArrayOf')) return kids.map((k) => decodeElement(k));
  if (kids.length === 0) {
    const text = el.textContent ?? '';
    if (el.hasAttribute('type') && !xt?.local.match(/^(string|boolean|int|long)$/)) {
      return { type: el.getAttribute('type') ?? '', value: text };
    }
    if (xt && xt.ns === XSD) return (SCALAR_TYPES[xt.local] ?? String)(text);
    if (xt && xt.ns !== XSD && text === '') return { _type: xt.local };
    return coerceByName(name, text);
  }
  const obj: Record<string, unknown> = {};
  if (xt) obj._type = xt.local;
  for (const k of kids) {
    const key = k.localName ?? '';
    const v = decodeElement(k, key);
    const prev = obj[key];
    const isArray = ARRAY_FIELDS.has(key) || ARRAY_FIELDS.has(`${name}.${key}`);
    if (prev === undefined) obj[key] = isArray ? [v] : v;
    else if (Array.isArray(prev)) prev.push(v);
    else obj[key] = [prev, v];
  }
  return obj;
}

/** Always an array: vim25 omits empty arrays and a decoder cannot know every array field. */
export function asArray<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function parseXml(xml: string): Element {
  const root = parseXmlTree(xml);
  if (!root) throw new Error('empty XML document');
  return root;
}

/** The first element child of the SOAP Body. */
export function soapBodyChild(xml: string): Element | undefined {
  const env = parseXml(xml);
  const body = children(env).find((e) => e.namespaceURI === SOAPENV && e.localName === 'Body');
  return body ? children(body)[0] : undefined;
}

/** Decodes a `<XResponse>`: the `returnval` element(s), or undefined if absent; throws on a SOAP Fault. */
export function decodeReturnval(xml: string): unknown {
  const resp = soapBodyChild(xml);
  if (!resp) throw new Error('SOAP response without a Body element');
  if (resp.namespaceURI === SOAPENV && resp.localName === 'Fault') throw new Error('SOAP Fault');
  const vals = children(resp).filter((e) => e.localName === 'returnval');
  if (vals.length === 0) return undefined;
  const decoded = vals.map((v) => decodeElement(v, 'returnval'));
  return decoded.length === 1 ? decoded[0] : decoded;
}

export { children as elementChildren };
