// What this deployment may remove: clones carrying its own deployment id, in the VM folders its clones are put
// in. Two stacks on one vCenter then never reap each other's clones, and a VM elsewhere in the inventory is
// never touched, whatever keys it carries.
import { findByInventoryPath, type VsphereClient } from '../vsphere/index.js';
import { cloneFolderPaths } from '../workflow/clone-folders.js';
import type { WorkflowConfig } from '../workflow/config.js';

export interface CloneScope {
  deploymentId: string;
  /** Folder morefs (values) a clone must sit in directly. */
  folders: Set<string>;
  /** The folder paths, for reports and messages. */
  folderPaths: string[];
}

/** Resolves the folders; a folder that does not exist is left out (nothing of ours can be in it). */
export async function resolveCloneScope(c: VsphereClient, config: WorkflowConfig): Promise<CloneScope> {
  const folderPaths = cloneFolderPaths(config);
  const folders = new Set<string>();
  for (const path of folderPaths) {
    const ref = await findByInventoryPath(c, path);
    if (ref) folders.add(ref.value);
  }
  return { deploymentId: config.deploymentId, folders, folderPaths };
}
