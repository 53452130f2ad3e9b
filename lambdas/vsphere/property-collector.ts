import type { VsphereClient } from './client.js';
import { asArray } from './decode.js';
import { selectionSpec } from './soap-values.js';
import type {
  MoRef,
  ObjectContent,
  ObjectUpdate,
  PropertyFilterSpec,
  PropertyFilterUpdate,
  RetrieveOptions,
  RetrieveResult,
  UpdateSet,
  WaitOptions,
} from './types.js';

function filterSpec(spec: PropertyFilterSpec): object {
  return {
    propSet: spec.propSet.map((p) => ({ type: p.type, all: p.all, pathSet: p.pathSet })),
    objectSet: spec.objectSet.map((o) => ({
      obj: o.obj,
      skip: o.skip,
      selectSet: o.selectSet?.map(selectionSpec),
    })),
    reportMissingObjectsInResults: spec.reportMissingObjectsInResults,
  };
}

function normaliseResult(r: unknown): RetrieveResult | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const raw = r as { token?: string; objects?: unknown };
  return {
    ...(raw.token !== undefined ? { token: raw.token } : {}),
    objects: asArray(raw.objects as ObjectContent[]).map((o) => ({
      obj: o.obj,
      propSet: asArray(o.propSet),
      missingSet: asArray(o.missingSet),
    })),
  };
}

/** PropertyCollector.RetrievePropertiesEx; undefined when nothing matched. */
export async function retrievePropertiesEx(
  c: VsphereClient,
  specSet: PropertyFilterSpec[],
  options: RetrieveOptions = {},
): Promise<RetrieveResult | undefined> {
  const r = await c.invoke('RetrievePropertiesEx', {
    _this: c.serviceContent.propertyCollector,
    specSet: specSet.map(filterSpec),
    options: { maxObjects: options.maxObjects },
  });
  return normaliseResult(r);
}

/** PropertyCollector.ContinueRetrievePropertiesEx with the previous result's token. */
export async function continueRetrievePropertiesEx(c: VsphereClient, token: string): Promise<RetrieveResult> {
  const r = await c.invoke('ContinueRetrievePropertiesEx', {
    _this: c.serviceContent.propertyCollector,
    token,
  });
  return normaliseResult(r) ?? { objects: [] };
}

/** PropertyCollector.CreateFilter; returns the PropertyFilter. */
export function createFilter(
  c: VsphereClient,
  spec: PropertyFilterSpec,
  partialUpdates = false,
): Promise<MoRef> {
  return c.invoke('CreateFilter', {
    _this: c.serviceContent.propertyCollector,
    spec: filterSpec(spec),
    partialUpdates,
  });
}

/** PropertyCollector.WaitForUpdatesEx; undefined when maxWaitSeconds passed without updates. */
export async function waitForUpdatesEx(
  c: VsphereClient,
  version?: string,
  options?: WaitOptions,
): Promise<UpdateSet | undefined> {
  const r = await c.invoke<Record<string, unknown> | undefined>('WaitForUpdatesEx', {
    _this: c.serviceContent.propertyCollector,
    version,
    options: options && {
      maxWaitSeconds: options.maxWaitSeconds,
      maxObjectUpdates: options.maxObjectUpdates,
    },
  });
  if (!r || typeof r !== 'object') return undefined;
  return {
    version: String(r.version ?? ''),
    truncated: r.truncated === true,
    filterSet: asArray(r.filterSet as PropertyFilterUpdate[]).map((f) => ({
      filter: f.filter,
      missingSet: asArray(f.missingSet),
      objectSet: asArray(f.objectSet as ObjectUpdate[]).map((o) => ({
        kind: o.kind,
        obj: o.obj,
        changeSet: asArray(o.changeSet),
        missingSet: asArray(o.missingSet),
      })),
    })),
  };
}

/** PropertyFilter.DestroyPropertyFilter. */
export async function destroyPropertyFilter(c: VsphereClient, filter: MoRef): Promise<void> {
  await c.invoke('DestroyPropertyFilter', { _this: filter });
}
