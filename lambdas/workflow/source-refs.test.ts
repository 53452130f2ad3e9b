import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_REF_KEEP_MS, sourceRefs } from './source-refs.js';

const ref = { type: 'VirtualMachine', value: 'vm-7' };
const folder = { type: 'Folder', value: 'group-v3' };

describe('sourceRefs', () => {
  afterEach(() => sourceRefs.forget());

  it('keeps a moref only while the VM keeps the name and parent it had when its path resolved to it', () => {
    sourceRefs.remember('DC0/vm/templates/src', ref, { name: 'src', parent: folder }, 0);
    expect(sourceRefs.get('DC0/vm/templates/src', 1)).toEqual(ref);
    expect(sourceRefs.confirmed('DC0/vm/templates/src', { name: 'src', parent: folder })).toBe(true);
    expect(sourceRefs.confirmed('DC0/vm/templates/src', { name: 'src-old', parent: folder })).toBe(false);
    expect(
      sourceRefs.confirmed('DC0/vm/templates/src', {
        name: 'src',
        parent: { type: 'Folder', value: 'group-v9' },
      }),
    ).toBe(false);
    expect(sourceRefs.confirmed('DC0/vm/templates/src', {})).toBe(false);
  });

  it('looks the path up again after its time, and remembers nothing from a read without name or parent', () => {
    sourceRefs.remember('a', ref, { name: 'a', parent: folder }, 0);
    expect(sourceRefs.get('a', SOURCE_REF_KEEP_MS)).toBeUndefined();
    sourceRefs.remember('b', ref, { name: 'b' }, 0);
    expect(sourceRefs.get('b', 1)).toBeUndefined();
  });
});
