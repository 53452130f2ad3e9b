import { describe, expect, it } from 'vitest';
import { parseXmlTree } from './xml-tree.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

describe('parseXmlTree', () => {
  it('resolves element and attribute namespaces through real bindings, default namespace included', () => {
    const root = parseXmlTree(
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><R xmlns="urn:vim25" xmlns:x="${XSI}"><v x:type="xsd:int" type="Folder">7</v></R></soapenv:Body></soapenv:Envelope>`,
    );
    expect(root?.localName).toBe('Envelope');
    expect(root?.namespaceURI).toBe('http://schemas.xmlsoap.org/soap/envelope/');
    const r = root?.children[0]?.children[0];
    expect(r?.namespaceURI).toBe('urn:vim25');
    const v = r?.children[0];
    expect(v?.getAttributeNS(XSI, 'type')).toBe('xsd:int');
    expect(v?.getAttribute('type')).toBe('Folder');
    expect(v?.hasAttribute('type')).toBe(true);
    expect(v?.hasAttribute('x:nope')).toBe(false);
    expect(v?.lookupNamespaceURI('')).toBe('urn:vim25');
    expect(v?.lookupNamespaceURI('x')).toBe(XSI);
    expect(v?.lookupNamespaceURI('nope')).toBeNull();
  });

  it('decodes entities and CDATA, and textContent covers descendants in document order', () => {
    const root = parseXmlTree('<a>x &lt;&amp;&#65; <b>in<![CDATA[<raw>]]></b> y</a>');
    expect(root?.children[0]?.textContent).toBe('in<raw>');
    expect(root?.textContent).toBe('x <&A in<raw> y');
  });

  it('goes on past a well-formedness error and has no root for no element', () => {
    expect(parseXmlTree('<a><b>1</b><c>2</a>')?.children.map((c) => c.localName)).toEqual(['b', 'c']);
    expect(parseXmlTree('')).toBeUndefined();
    expect(parseXmlTree('just text')).toBeUndefined();
  });
});
