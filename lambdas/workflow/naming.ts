// Deterministic names and the markers every clone carries in its extraConfig (set atomically by
// InstantClone_Task's spec.config). The run marker makes retries idempotent and lets the reaper find leaks.
// The markers live outside guestinfo.*: a guest can set guestinfo.* keys itself (GuestRPC info-set) and the
// API then reports them in config.extraConfig, so a guest could forge or hide a marker (ADR 0002). Only what
// the guest must read (hostname, static address) stays under guestinfo.ic.*.
import { createHash } from 'node:crypto';

export const MARKER_RUN = 'instantclone.run';
export const MARKER_LEASE_EXPIRES = 'instantclone.leaseExpires';
export const MARKER_REQUESTER = 'instantclone.requester';
export const MARKER_INDEX = 'instantclone.index';
/** The deployment (stack) that made the clone: its Reaper touches only its own clones. */
export const MARKER_DEPLOYMENT = 'instantclone.deployment';

/** Execution names made from an idempotency key carry their run id: `ic-<12 hex>` (run-ref.ts). */
export const KEYED_EXECUTION_NAME = /^ic-([0-9a-f]{12})$/;

/**
 * Short, stable run id from the execution name: the same execution always yields the same clone names. A keyed
 * name (`ic-<12 hex>`) is its own run id, so a run id leads back to its execution; any other name is hashed.
 */
export function runIdOf(executionName: string): string {
  const keyed = KEYED_EXECUTION_NAME.exec(executionName);
  if (keyed?.[1]) return keyed[1];
  return createHash('sha256').update(executionName).digest('hex').slice(0, 8);
}

/** `<prefix>-<runId>-<nn>`, index 0-based, number 1-based and zero-padded to the fleet's width. */
export function cloneName(prefix: string, runId: string, index: number, total: number): string {
  const width = Math.max(2, String(total).length);
  return `${prefix}-${runId}-${String(index + 1).padStart(width, '0')}`;
}

/** The folder part of an inventory path: `/DC/vm/templates/src` → `/DC/vm/templates`. */
export function parentPath(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

export interface StaticIp {
  address: string;
  prefixLength: number;
  gateway: string;
  dns: string[];
}

export interface MarkerInput {
  runId: string;
  deploymentId: string;
  requesterId: string;
  leaseExpires: string;
  index: number;
  hostname: string;
  staticIp: StaticIp | null;
}

/** guestinfo.* option values for InstantCloneSpec.config. */
export function cloneExtraConfig(m: MarkerInput): { key: string; value: string }[] {
  const values: [string, string][] = [
    [MARKER_RUN, m.runId],
    [MARKER_DEPLOYMENT, m.deploymentId],
    [MARKER_LEASE_EXPIRES, m.leaseExpires],
    [MARKER_REQUESTER, m.requesterId],
    [MARKER_INDEX, String(m.index)],
    ['guestinfo.ic.hostname', m.hostname],
  ];
  if (m.staticIp) {
    values.push(
      ['guestinfo.ic.ip', m.staticIp.address],
      ['guestinfo.ic.prefixLength', String(m.staticIp.prefixLength)],
      ['guestinfo.ic.gateway', m.staticIp.gateway],
      ['guestinfo.ic.dns', m.staticIp.dns.join(',')],
    );
  }
  return values.map(([key, value]) => ({ key, value }));
}

/** True if the extraConfig (as a key → value record) carries this run's marker. */
export function hasRunMarker(extraConfig: Record<string, string>, runId: string): boolean {
  return extraConfig[MARKER_RUN] === runId;
}
