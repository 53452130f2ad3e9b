// Finding a run's clone by name and marker, so retries and duplicate deliveries reuse it instead of cloning
// twice.
import type { MoRef, VsphereClient } from '../vsphere/index.js';
import { CloneFailedError } from './errors.js';
import { hasRunMarker, parentPath } from './naming.js';
import { extraConfigOf, findVm, propsOf } from './vsphere-ops.js';

/** Where a clone lives: the requested folder, else the source's folder (the instant clone default). */
export function cloneFolder(runFolder: string | null, sourcePath: string): string {
  return runFolder ?? parentPath(sourcePath);
}

/** This run's clone of that name, undefined if none; a same-named VM of another run is an error. */
export async function findRunClone(
  c: VsphereClient,
  folder: string,
  name: string,
  runId: string,
): Promise<MoRef | undefined> {
  return (await findRunCloneWith(c, folder, name, runId, []))?.ref;
}

/**
 * findRunClone, with more of the clone's properties (`paths`) read in the same RetrievePropertiesEx as the run
 * marker (`config.extraConfig` is always among them).
 */
export async function findRunCloneWith(
  c: VsphereClient,
  folder: string,
  name: string,
  runId: string,
  paths: string[],
): Promise<{ ref: MoRef; props: Record<string, unknown> } | undefined> {
  const ref = await findVm(c, `${folder}/${name}`);
  if (!ref) return undefined;
  const props = await propsOf(c, ref, [...new Set(['config.extraConfig', ...paths])]);
  checkRunMarker({ folder, name, runId }, props);
  return { ref, props };
}

/** A VM found by a clone's name must carry this run's marker (read in `config.extraConfig`). */
export function checkRunMarker(
  where: { folder: string; name: string; runId: string },
  props: Record<string, unknown>,
): void {
  if (!hasRunMarker(extraConfigOf(props['config.extraConfig']), where.runId)) {
    throw new CloneFailedError(
      `a VM named ${where.folder}/${where.name} exists and does not carry run marker ${where.runId}`,
    );
  }
}
