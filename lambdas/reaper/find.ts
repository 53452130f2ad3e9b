// Finds leaked clones: every VM carrying our run marker whose lease (plus an allowance) has passed, read in
// one RetrievePropertiesEx over a ContainerView of all VMs — no per-VM calls.
import {
  asArray,
  createContainerView,
  destroyView,
  type MoRef,
  type PropertyFilterSpec,
  retrieveAll,
  type VsphereClient,
} from '../vsphere/index.js';
import { MARKER_DEPLOYMENT, MARKER_LEASE_EXPIRES, MARKER_RUN } from '../workflow/naming.js';
import type { CloneScope } from './scope.js';

export interface LeakedVm {
  moref: MoRef;
  name: string;
  runId: string;
  /** The marker as written at clone time. */
  leaseExpires: string;
  /** Parsed lease expiry (epoch ms). */
  expiresAt: number;
  powerState: string;
}

export interface Scan {
  /** VMs in the inventory. */
  scanned: number;
  /** VMs carrying this deployment's run marker in its clone folders. */
  marked: number;
  /** Marked VMs left alone: another deployment's, or outside this deployment's clone folders. */
  outOfScope: number;
  /** Marked VMs whose lease marker could not be parsed (left alone, reported). */
  unparseable: { name: string; moref: string; leaseExpires: string }[];
  /** The marked VMs asked for (expired ones, or one run's), oldest lease first. */
  expired: LeakedVm[];
}

const PATHS = [
  'name',
  'parent',
  'runtime.powerState',
  'runtime.instantCloneFrozen',
  'config.template',
  'config.extraConfig',
];

/** ISO-8601 or epoch seconds/milliseconds; undefined when it is neither. */
export function parseLeaseExpiry(value: string): number | undefined {
  const trimmed = value.trim();
  if (/^\d{9,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d{12,13}$/.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    for (const key of ['$value', '_', 'value']) if (key in v) return text(v[key]);
  }
  return undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** `config.extraConfig` (OptionValue[], possibly wrapped as ArrayOfOptionValue) → key/value record. */
export function extraConfigRecord(value: unknown): Record<string, string> {
  const wrapped = value !== null && typeof value === 'object' && 'OptionValue' in (value as object);
  const items = asArray(wrapped ? (value as { OptionValue: unknown }).OptionValue : value);
  const out: Record<string, string> = {};
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    const { key, value: v } = item as { key?: unknown; value?: unknown };
    const k = text(key);
    const val = text(v);
    if (k !== undefined && val !== undefined) out[k] = val;
  }
  return out;
}

/**
 * Marked VMs whose lease plus `allowanceMs` has passed at `now`, oldest lease first. With a scope, only this
 * deployment's clones in its clone folders.
 */
export function findExpiredClones(
  c: VsphereClient,
  now: number,
  allowanceMs: number,
  scope?: CloneScope,
): Promise<Scan> {
  return scanMarkedClones(c, (vm) => vm.expiresAt + allowanceMs <= now, scope);
}

/** Every clone of one run, whatever its lease (runs that ended without their own teardown). */
export function findRunClones(c: VsphereClient, runId: string, scope?: CloneScope): Promise<Scan> {
  return scanMarkedClones(c, (vm) => vm.runId === runId, scope);
}

function inScope(props: Record<string, unknown>, extra: Record<string, string>, scope?: CloneScope): boolean {
  if (!scope) return true;
  if (extra[MARKER_DEPLOYMENT] !== scope.deploymentId) return false;
  const parent = props.parent as { value?: unknown } | undefined;
  return typeof parent?.value === 'string' && scope.folders.has(parent.value);
}

async function scanMarkedClones(
  c: VsphereClient,
  wanted: (vm: LeakedVm) => boolean,
  scope?: CloneScope,
): Promise<Scan> {
  const view = await createContainerView(c, c.serviceContent.rootFolder, ['VirtualMachine'], true);
  try {
    const spec: PropertyFilterSpec = {
      propSet: [{ type: 'VirtualMachine', all: false, pathSet: PATHS }],
      objectSet: [
        {
          obj: view,
          skip: true,
          selectSet: [{ name: 'view', type: 'ContainerView', path: 'view', skip: false }],
        },
      ],
    };
    const objects = await retrieveAll(c, [spec], { maxObjects: 1000 });
    const scan: Scan = { scanned: objects.length, marked: 0, outOfScope: 0, unparseable: [], expired: [] };
    for (const o of objects) {
      const props = Object.fromEntries(o.propSet.map((p) => [p.name, p.val]));
      if (isTrue(props['config.template'])) continue;
      // A frozen VM is an instant-clone source, never a leaked clone; but a source built from one of our clones
      // (CloneVM_Task copies extraConfig) still carries that clone's marker and long-expired lease.
      if (isTrue(props['runtime.instantCloneFrozen'])) continue;
      const extra = extraConfigRecord(props['config.extraConfig']);
      const runId = extra[MARKER_RUN];
      if (runId === undefined || runId === '') continue;
      if (!inScope(props, extra, scope)) {
        scan.outOfScope++;
        continue;
      }
      scan.marked++;
      const name = text(props.name) ?? o.obj.value;
      const leaseExpires = extra[MARKER_LEASE_EXPIRES] ?? '';
      const expiresAt = parseLeaseExpiry(leaseExpires);
      if (expiresAt === undefined) {
        scan.unparseable.push({ name, moref: o.obj.value, leaseExpires });
        continue;
      }
      const vm: LeakedVm = {
        moref: o.obj,
        name,
        runId,
        leaseExpires,
        expiresAt,
        powerState: text(props['runtime.powerState']) ?? 'unknown',
      };
      if (wanted(vm)) scan.expired.push(vm);
    }
    scan.expired.sort((a, b) => a.expiresAt - b.expiresAt || a.name.localeCompare(b.name));
    return scan;
  } finally {
    await destroyView(c, view).catch((error: unknown) =>
      c.logger.warn('DestroyView failed', { error: String(error) }),
    );
  }
}
