// Deterministic names and the markers every clone carries in its extraConfig (set atomically by
// InstantClone_Task's spec.config). The run marker makes retries idempotent and lets the reaper find leaks.
import { createHash } from 'node:crypto';

export const MARKER_RUN = 'guestinfo.ic.run';
export const MARKER_LEASE_EXPIRES = 'guestinfo.ic.leaseExpires';
export const MARKER_REQUESTER = 'guestinfo.ic.requester';
export const MARKER_INDEX = 'guestinfo.ic.index';

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
