import type { VsphereClient } from './client.js';
import type { MoRef } from './types.js';

function required(ref: MoRef | undefined, name: string): MoRef {
  if (!ref) throw new Error(`ServiceContent has no ${name}`);
  return ref;
}

/** SearchIndex.FindByInventoryPath, e.g. `DC0/vm/golden`; undefined when nothing is there. */
export async function findByInventoryPath(
  c: VsphereClient,
  inventoryPath: string,
): Promise<MoRef | undefined> {
  const ref = await c.invoke<MoRef | undefined>('FindByInventoryPath', {
    _this: required(c.serviceContent.searchIndex, 'searchIndex'),
    inventoryPath,
  });
  return ref && typeof ref === 'object' ? ref : undefined;
}

/** ViewManager.CreateContainerView. Destroy it with `destroyView`. */
export function createContainerView(
  c: VsphereClient,
  container: MoRef,
  type: string[],
  recursive: boolean,
): Promise<MoRef> {
  return c.invoke('CreateContainerView', {
    _this: required(c.serviceContent.viewManager, 'viewManager'),
    container,
    type,
    recursive,
  });
}

/** View.DestroyView. */
export async function destroyView(c: VsphereClient, view: MoRef): Promise<void> {
  await c.invoke('DestroyView', { _this: view });
}
