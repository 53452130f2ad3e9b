// vim25 type information from pyVmomi (fixtures/vim25-types.json, written by fixtures/generate-vim25-types.py):
// which property paths exist on a type, and which properties a data object must carry.
import { readFileSync } from 'node:fs';

/** [name, wsdl type, is an array, is optional] */
export type PropInfo = [string, string, boolean, boolean];

export interface TypeInfo {
  base: string | null;
  kind: 'managed' | 'data' | 'enum';
  props: PropInfo[];
}

export const VIM25_TYPES: Record<string, TypeInfo> = JSON.parse(
  readFileSync(new URL('./fixtures/vim25-types.json', import.meta.url), 'utf8'),
);

/** Every property of `type`, inherited ones first; undefined for a type the fixture does not know. */
export function propertiesOf(type: string): PropInfo[] | undefined {
  const info = VIM25_TYPES[type];
  if (!info) return undefined;
  return [...(info.base ? (propertiesOf(info.base) ?? []) : []), ...info.props];
}

/**
 * Whether `path` ("runtime.powerState") names a property of `type`, following each step's declared type.
 * A type the fixture does not know accepts any path (nothing to check it against).
 */
export function isValidPath(type: string, path: string): boolean {
  let current = type;
  const parts = path.split('.');
  for (const [i, part] of parts.entries()) {
    const props = propertiesOf(current);
    if (!props) return true;
    const prop = props.find(([name]) => name === part);
    if (!prop) return false;
    const [, declared, isArray] = prop;
    const last = i === parts.length - 1;
    if (!last && (isArray || declared === 'anyType' || VIM25_TYPES[declared]?.kind !== 'data')) return false;
    current = declared;
  }
  return true;
}
