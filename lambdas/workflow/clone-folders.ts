// The VM folders this deployment puts clones in: the configured cloneFolders, or the source VMs' folders.
// The Reaper looks only there, so a request may not put clones anywhere else.
import type { WorkflowConfig } from './config.js';
import { parentPath } from './naming.js';

/** Inventory paths compare without leading or trailing slashes (FindByInventoryPath takes both). */
export function normalizePath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

export function cloneFolderPaths(config: WorkflowConfig): string[] {
  const paths =
    config.cloneFolders ?? Object.values(config.sources).flatMap((s) => s.paths.map((p) => parentPath(p)));
  return [...new Set(paths.map(normalizePath))];
}
