import { asArray } from './decode.js';
import { VsphereFault } from './errors.js';
import { localizedFault } from './fault.js';

/** Property-collector methods whose results carry per-object `missingSet` faults. */
export const MISSING_SET_METHODS = new Set([
  'RetrieveProperties',
  'RetrievePropertiesEx',
  'ContinueRetrievePropertiesEx',
  'WaitForUpdatesEx',
  'WaitForUpdates',
  'CheckForUpdates',
]);

type Missing = { path?: string; obj?: { type?: string; value?: string }; fault?: unknown };
type Content = { obj?: { type?: string; value?: string }; missingSet?: Missing | Missing[] };

function first(objects: unknown, what: (o: Content) => string): VsphereFault | undefined {
  for (const o of asArray(objects as Content | Content[])) {
    const m = asArray(o?.missingSet)[0];
    if (!m) continue;
    const fault = localizedFault(m.fault);
    return new VsphereFault(
      fault.faultName,
      `${what(o)}${m.path ? ` ${m.path}` : ''}: ${fault.message}`,
      fault.detail,
    );
  }
  return undefined;
}

const name = (o: Content) => `${o.obj?.type ?? 'object'} ${o.obj?.value ?? ''}`.trim();

/**
 * The first `missingSet` fault of a property-collector result, as a VsphereFault. vCenter answers a dead
 * session's RetrievePropertiesEx with HTTP 200 and every property in missingSet (NotAuthenticated); read as
 * "no properties", that looks like a VM that is gone.
 */
export function missingSetFault(result: unknown): VsphereFault | undefined {
  for (const r of asArray(result as Record<string, unknown> | Record<string, unknown>[])) {
    if (!r || typeof r !== 'object') continue;
    // RetrieveProperties returns ObjectContent[]; RetrievePropertiesEx a RetrieveResult; WaitForUpdatesEx an UpdateSet.
    const direct = 'missingSet' in r ? first(r, name) : undefined;
    if (direct) return direct;
    const fromObjects = first(r.objects, name);
    if (fromObjects) return fromObjects;
    for (const f of asArray(r.filterSet as Record<string, unknown>[] | undefined)) {
      const missingObject = asArray(f.missingSet as Missing[] | undefined)[0];
      if (missingObject) {
        const fault = localizedFault(missingObject.fault);
        return new VsphereFault(fault.faultName, `${name(missingObject)}: ${fault.message}`, fault.detail);
      }
      const fromUpdates = first(f.objectSet, name);
      if (fromUpdates) return fromUpdates;
    }
  }
  return undefined;
}
