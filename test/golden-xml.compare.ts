import { DOMParser, type Element } from '@xmldom/xmldom';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

function kids(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** The first element inside the SOAP Body. */
export function bodyElement(xml: string): Element {
  const env = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  const body = env && kids(env).find((e) => e.localName === 'Body');
  const first = body && kids(body)[0];
  if (!first) throw new Error('no SOAP Body child');
  return first;
}

/** `{ns}local` for an element, or an attribute QName value resolved against `el`. */
function qname(ns: string | null, local: string | null): string {
  return `{${ns ?? ''}}${local ?? ''}`;
}

function attrs(el: Element): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    if (!a || a.namespaceURI === XMLNS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    let value = a.value;
    if (a.namespaceURI === XSI && a.localName === 'type') {
      const i2 = value.indexOf(':');
      value = qname(
        el.lookupNamespaceURI(i2 < 0 ? '' : value.slice(0, i2)),
        i2 < 0 ? value : value.slice(i2 + 1),
      );
    }
    out[qname(a.namespaceURI, a.localName)] = value;
  }
  return out;
}

/**
 * Namespace-aware, prefix-insensitive comparison of two elements: names, namespaces, order,
 * attributes (xsi:type resolved to its namespace) and leaf text. Returns the differences.
 */
export function diffXml(actual: Element, expected: Element, path = ''): string[] {
  const here = `${path}/${actual.localName}`;
  const diffs: string[] = [];
  const an = qname(actual.namespaceURI, actual.localName);
  const en = qname(expected.namespaceURI, expected.localName);
  if (an !== en) return [`${path}: element ${an} != expected ${en}`];
  const aa = attrs(actual);
  const ea = attrs(expected);
  if (JSON.stringify(Object.entries(aa).sort()) !== JSON.stringify(Object.entries(ea).sort())) {
    diffs.push(`${here}: attributes ${JSON.stringify(aa)} != expected ${JSON.stringify(ea)}`);
  }
  const ak = kids(actual);
  const ek = kids(expected);
  if (ak.length === 0 && ek.length === 0) {
    if ((actual.textContent ?? '') !== (expected.textContent ?? '')) {
      diffs.push(
        `${here}: text ${JSON.stringify(actual.textContent)} != expected ${JSON.stringify(expected.textContent)}`,
      );
    }
    return diffs;
  }
  const names = (l: Element[]) => l.map((e) => e.localName).join(',');
  if (names(ak) !== names(ek)) {
    diffs.push(`${here}: children [${names(ak)}] != expected [${names(ek)}]`);
    return diffs;
  }
  ak.forEach((c, i) => {
    const e = ek[i];
    if (e) diffs.push(...diffXml(c, e, here));
  });
  return diffs;
}
