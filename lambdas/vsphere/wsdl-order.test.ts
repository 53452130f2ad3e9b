import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { WSDL_URL } from './soap-client.js';

// Checks every flattened complexType's field order against pyVmomi 6.7.1 (an independent
// source): our fields must be a subsequence of pyVmomi's _GetPropertyList(), inherited first.
const PYTHON = '/usr/bin/python3';
const XSD = 'http://www.w3.org/2001/XMLSchema';

const PY = `
import json, sys
from pyVmomi import VmomiSupport
out = {}
for name in json.loads(sys.argv[1]):
    if name.endswith('RequestType'):
        m = VmomiSupport.GetWsdlMethod('urn:vim25', name[:-len('RequestType')])
        out[name] = ['_this'] + [p.name for p in m.info.params]
    else:
        out[name] = [p.name for p in VmomiSupport.GetWsdlType('urn:vim25', name)._GetPropertyList()]
print(json.dumps(out))
`;

function pyvmomiAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import pyVmomi'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function wsdlTypes(): Map<string, string[]> {
  const doc = new DOMParser().parseFromString(readFileSync(WSDL_URL, 'utf8'), 'text/xml');
  const types = new Map<string, string[]>();
  const all = doc.getElementsByTagNameNS(XSD, 'complexType');
  for (let i = 0; i < all.length; i++) {
    const ct = all.item(i) as Element;
    const name = ct.getAttribute('name');
    if (!name || name === 'ManagedObjectReference') continue;
    const els = ct.getElementsByTagNameNS(XSD, 'element');
    types.set(
      name,
      Array.from({ length: els.length }, (_, j) => (els.item(j) as Element).getAttribute('name') ?? ''),
    );
  }
  return types;
}

const available = pyvmomiAvailable();
if (!available && process.env.CI !== 'true') {
  console.warn('SKIPPED wsdl-order.test.ts: /usr/bin/python3 with python3-pyvmomi is not installed');
}

describe.skipIf(!available && process.env.CI !== 'true')('bundled WSDL field order vs pyVmomi', () => {
  it('every complexType lists its fields in pyVmomi order', () => {
    if (!available) throw new Error('python3-pyvmomi is required in CI (apt-get install python3-pyvmomi)');
    const types = wsdlTypes();
    expect(types.size).toBeGreaterThan(40);
    const py = JSON.parse(
      execFileSync(PYTHON, ['-c', PY, JSON.stringify([...types.keys()])], { encoding: 'utf8' }),
    ) as Record<string, string[]>;
    const problems: string[] = [];
    for (const [name, fields] of types) {
      const ref = py[name] ?? [];
      const positions = fields.map((f) => ref.indexOf(f));
      if (positions.some((p) => p < 0))
        problems.push(`${name}: unknown field(s) ${fields.filter((f) => !ref.includes(f))}`);
      else if (positions.some((p, i) => i > 0 && p <= (positions[i - 1] ?? -1))) {
        problems.push(`${name}: [${fields}] not in pyVmomi order [${ref}]`);
      }
    }
    expect(problems).toEqual([]);
  });
});
