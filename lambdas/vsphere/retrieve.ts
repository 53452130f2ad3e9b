import type { VsphereClient } from './client.js';
import { continueRetrievePropertiesEx, retrievePropertiesEx } from './property-collector.js';
import type { MoRef, ObjectContent, PropertyFilterSpec, RetrieveOptions } from './types.js';

/** RetrievePropertiesEx plus ContinueRetrievePropertiesEx until no token comes back. */
export async function retrieveAll(
  c: VsphereClient,
  specSet: PropertyFilterSpec[],
  options?: RetrieveOptions,
): Promise<ObjectContent[]> {
  for (let attempt = 1; ; attempt++) {
    const generation = c.sessionGeneration;
    try {
      let result = await retrievePropertiesEx(c, specSet, options);
      const out: ObjectContent[] = [...(result?.objects ?? [])];
      while (result?.token) {
        result = await continueRetrievePropertiesEx(c, result.token);
        out.push(...result.objects);
      }
      return out;
    } catch (e) {
      // A re-login between pages voids the token: read everything again, once, on the new session.
      if (attempt > 1 || c.sessionGeneration === generation) throw e;
    }
  }
}

/** Plain objects keyed by moref value: `{ 'runtime.powerState': 'poweredOn', ... }` per object. */
export function toPropertyMap(objects: ObjectContent[]): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  for (const o of objects) {
    const props: Record<string, unknown> = {};
    for (const p of o.propSet) props[p.name] = p.val;
    map.set(o.obj.value, props);
  }
  return map;
}

/** Reads `paths` of every object in one RetrievePropertiesEx (+ Continue) round trip. */
export async function retrieveProperties(
  c: VsphereClient,
  objs: MoRef[],
  paths: string[],
  options?: RetrieveOptions,
): Promise<Map<string, Record<string, unknown>>> {
  if (objs.length === 0) return new Map();
  const types = [...new Set(objs.map((o) => o.type))];
  const spec: PropertyFilterSpec = {
    propSet: types.map((type) => ({ type, all: false, pathSet: paths })),
    objectSet: objs.map((obj) => ({ obj, skip: false })),
  };
  return toPropertyMap(await retrieveAll(c, [spec], options));
}
