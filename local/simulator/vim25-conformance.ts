// Test support: holds a vim25 SOAP reply against pyVmomi's type information (fixtures/vim25-types.json). Every
// data object must carry the properties vim25 requires and no property its type does not have.
import { DOMParser, type Element } from '@xmldom/xmldom';
import { propertiesOf, VIM25_TYPES } from './vim25-types.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

const xsiType = (el: Element) => el.getAttributeNS(XSI, 'type')?.split(':').pop() || undefined;

/** `actual` is `declared` or one of its subtypes (vim25 sends a LocalizedMethodFault where MethodFault is declared). */
function isA(actual: string, declared: string): boolean {
  if (declared === 'anyType' || declared === 'DynamicData') return true;
  if (declared === 'MethodFault' && actual === 'LocalizedMethodFault') return true;
  for (let t: string | null | undefined = actual; t; t = VIM25_TYPES[t]?.base)
    if (t === declared) return true;
  return false;
}

/** xsd types and the vim25 reference type: nothing to check inside. */
const PRIMITIVE =
  /^(string|boolean|int|long|short|byte|float|double|dateTime|base64Binary|anyURI|ManagedObjectReference)$/i;

function checkObject(el: Element, type: string, where: string, problems: string[]): void {
  const info = VIM25_TYPES[type];
  if (!info) {
    if (!PRIMITIVE.test(type))
      problems.push(
        `${where}: type ${type} is not in the fixture (add it to ROOTS in generate-vim25-types.py)`,
      );
    return;
  }
  if (info.kind !== 'data') return;
  const props = propertiesOf(type) ?? [];
  const kids = children(el);
  const present = new Set(kids.map((k) => k.localName));
  for (const name of present)
    if (!props.some(([p]) => p === name)) problems.push(`${where}: ${type} has no property '${name}'`);
  for (const [name, , isArray, optional] of props)
    if (!optional && !isArray && !present.has(name))
      problems.push(`${where}: ${type} lacks required '${name}'`);
  for (const k of kids) {
    const prop = props.find(([p]) => p === k.localName);
    if (!prop) continue;
    const [name, declared] = prop;
    const actual = xsiType(k);
    const path = `${where}.${name}`;
    if (actual && VIM25_TYPES[actual] && VIM25_TYPES[declared] && !isA(actual, declared))
      problems.push(`${path}: ${actual} where vim25 declares ${declared}`);
    checkValue(k, actual ?? declared, path, problems);
  }
}

function checkValue(el: Element, type: string, where: string, problems: string[]): void {
  if (type.startsWith('ArrayOf')) {
    const item = type.slice('ArrayOf'.length);
    for (const [i, k] of children(el).entries())
      checkValue(k, xsiType(k) ?? item, `${where}[${i}]`, problems);
    return;
  }
  checkObject(el, type, where, problems);
}

/** Problems of one SOAP response or fault envelope; empty when it conforms. */
export function vim25Problems(xml: string): string[] {
  const doc = new DOMParser({ onError: () => {} }).parseFromString(xml, 'text/xml');
  const env = doc.documentElement;
  if (!env) return ['not XML'];
  const body = children(env).find((e) => e.localName === 'Body');
  const top = body ? children(body)[0] : undefined;
  if (!top) return ['no SOAP body'];
  const problems: string[] = [];
  if (top.localName === 'Fault') {
    const detail = children(top).find((e) => e.localName === 'detail');
    for (const f of detail ? children(detail) : []) {
      const type = xsiType(f) ?? (f.localName ?? '').replace(/Fault$/, '');
      checkObject(f, type, `fault ${type}`, problems);
    }
    return problems;
  }
  for (const rv of children(top)) {
    const type = xsiType(rv);
    if (type) checkValue(rv, type, `${top.localName}.returnval`, problems);
  }
  return problems;
}
