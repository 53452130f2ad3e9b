// Frozen source VMs' morefs by inventory path, kept by a warm container for a while, so VerifySourceFrozen's
// warm runs skip one FindByInventoryPath per source VM. A moref names its VM for the VM's whole life, and the
// read VerifySourceFrozen makes anyway brings the VM's name and parent folder: a moref is used only while they
// are what they were when the path resolved to it. A VM that was renamed, moved, or destroyed and replaced by
// another at the same path is found by path again (ManagedObjectNotFound, or another name or parent).
import type { MoRef } from '../vsphere/index.js';

/** How long (wall ms) a remembered moref is used before the path is looked up again regardless. */
export const SOURCE_REF_KEEP_MS = 10 * 60_000;
/** What the read of a source VM must include for `confirmed`. */
export const SOURCE_IDENTITY_PATHS = ['name', 'parent'];

interface Remembered {
  ref: MoRef;
  name: string;
  parent: string;
  until: number;
}

const known = new Map<string, Remembered>();

function parentOf(props: Record<string, unknown>): string | undefined {
  return (props.parent as MoRef | undefined)?.value;
}

export const sourceRefs = {
  /** The moref remembered for this path, if still within its time. */
  get(path: string, now = Date.now()): MoRef | undefined {
    const r = known.get(path);
    if (r && now < r.until) return r.ref;
    known.delete(path);
    return undefined;
  },
  /** After a read of a VM found by path: remember it with its name and parent as they are now. */
  remember(path: string, ref: MoRef, props: Record<string, unknown>, now = Date.now()): void {
    const parent = parentOf(props);
    if (typeof props.name !== 'string' || !parent) return;
    known.set(path, { ref, name: props.name, parent, until: now + SOURCE_REF_KEEP_MS });
  },
  /** Whether a read of a remembered moref shows the VM the path resolved to (same name, same parent). */
  confirmed(path: string, props: Record<string, unknown>): boolean {
    const r = known.get(path);
    return r !== undefined && props.name === r.name && parentOf(props) === r.parent;
  },
  forget(path?: string): void {
    if (path === undefined) known.clear();
    else known.delete(path);
  },
};
