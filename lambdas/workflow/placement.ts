// Placement: which frozen VM of its source each clone is forked from. An instant clone runs on its source's
// host, so a source lists one frozen VM per host and the fleet is spread over them in proportion to each host's
// free memory (after a headroom), never giving a host more clones than its free memory takes at the per-clone
// charge. Equal hosts get the clones round-robin, in the order of the source's paths. A fleet that does not fit
// fails with HostCapacityExceeded before anything is created.
import { HostCapacityExceededError } from './errors.js';
import type { HostMemory } from './host-memory.js';

/** One frozen VM a source may clone from. */
export interface PlacementMember {
  path: string;
  /** moref value of the VM's host */
  host: string;
  /** what one clone of it is counted at, in MB */
  chargeMB: number;
  /** the VM's configured memory, for the message */
  memoryMB: number | null;
}

export interface PlacementHost extends HostMemory {
  name: string;
}

export interface PlacementPolicy {
  /** share of a source's configured memory each clone is counted at */
  cloneMemoryFraction: number;
  /** percent of each host's physical memory kept free */
  hostMemoryHeadroomPercent: number;
}

/** MB a host can still give clones: physical memory less use less headroom (0 when vCenter did not say). */
export function freeMemoryMB(host: HostMemory, headroomPercent: number): number {
  if (host.memoryMB === null || host.usedMB === null) return 0;
  return Math.max(0, host.memoryMB - host.usedMB - (host.memoryMB * headroomPercent) / 100);
}

/** A source VM's per-clone charge in MB (0 when its memory is unknown). */
export function cloneChargeMB(memoryMB: number | null, fraction: number): number {
  return memoryMB === null ? 0 : Math.ceil(memoryMB * fraction);
}

const mb = (n: number) => `${Math.floor(n).toLocaleString('en-US')} MB`;

/**
 * The path each clone (in the given order) is cloned from. Each clone goes to the member of its source with the
 * highest free memory ÷ (clones it has + 1) among those whose host still has room for its charge (D'Hondt
 * apportionment: shares proportional to free memory; ties go to the earlier path, which makes equal hosts
 * round-robin).
 */
export function placeFleet(
  clones: readonly { source: string }[],
  members: ReadonlyMap<string, readonly PlacementMember[]>,
  hosts: ReadonlyMap<string, PlacementHost>,
  policy: PlacementPolicy,
): string[] {
  const headroom = policy.hostMemoryHeadroomPercent;
  const free = new Map([...hosts].map(([id, h]) => [id, freeMemoryMB(h, headroom)]));
  const left = new Map(free);
  const given = new Map<PlacementMember, number>();
  const unplaced = new Map<string, number>();
  const placed = clones.map(({ source }) => {
    let best: PlacementMember | undefined;
    let bestScore = -1;
    for (const m of members.get(source) ?? []) {
      const room = left.get(m.host) ?? 0;
      if (room <= 0 || room < m.chargeMB) continue;
      const score = (free.get(m.host) ?? 0) / ((given.get(m) ?? 0) + 1);
      if (score > bestScore) [best, bestScore] = [m, score];
    }
    if (!best) {
      unplaced.set(source, (unplaced.get(source) ?? 0) + 1);
      return '';
    }
    left.set(best.host, (left.get(best.host) ?? 0) - best.chargeMB);
    given.set(best, (given.get(best) ?? 0) + 1);
    return best.path;
  });
  if (unplaced.size === 0) return placed;

  const missing = [...unplaced.values()].reduce((a, b) => a + b, 0);
  const needs = [...new Set(clones.map((c) => c.source))].map((source) => {
    const count = clones.filter((c) => c.source === source).length;
    const list = members.get(source) ?? [];
    const charge = Math.max(0, ...list.map((m) => m.chargeMB));
    const memory = Math.max(0, ...list.map((m) => m.memoryMB ?? 0));
    return {
      total: count * charge,
      text: `source '${source}': ${count} × ${mb(charge)} (${policy.cloneMemoryFraction} of its ${mb(memory)})`,
    };
  });
  const usedHosts = new Set([...members.values()].flatMap((list) => list.map((m) => m.host)));
  const room = [...usedHosts].map((id) => {
    const h = hosts.get(id);
    const name = h?.name || id;
    if (!h || h.memoryMB === null || h.usedMB === null) return `${name}: memory not reported (disconnected?)`;
    return `${name}: ${mb(free.get(id) ?? 0)} free of ${mb(h.memoryMB)} (${mb(h.usedMB)} in use)`;
  });
  throw new HostCapacityExceededError(
    `${missing} of ${clones.length} clones do not fit on the sources' hosts: the fleet needs ` +
      `${mb(needs.reduce((a, n) => a + n.total, 0))} (${needs.map((n) => n.text).join('; ')}), ` +
      `with ${headroom} % of each host's memory kept free: ${room.join('; ')}. Nothing was created`,
  );
}

/** One source VM VerifySourceFrozen placed clones on, and how many. */
export interface PlacedCount {
  source: string;
  sourcePath: string;
  count: number;
}

/**
 * Each clone's source VM from VerifySourceFrozen's counts per source VM: the k-th clone of a source goes where
 * the same apportionment over those counts puts it (the VM with the most clones still owed ÷ clones given + 1,
 * ties to the earlier VM). Pure, so every child of the fan-out (PlanSlice) assigns the whole plan alike and the
 * counts hold exactly without the parent's state carrying one path per clone.
 */
export function pathsFromCounts(
  clones: readonly { source: string }[],
  counts: readonly PlacedCount[],
): string[] {
  const members = new Map<string, { path: string; count: number; given: number }[]>();
  for (const c of counts) {
    if (c.count <= 0) continue;
    members.set(c.source, [
      ...(members.get(c.source) ?? []),
      { path: c.sourcePath, count: c.count, given: 0 },
    ]);
  }
  return clones.map(({ source }) => {
    let best: { path: string; count: number; given: number } | undefined;
    let bestScore = -1;
    for (const m of members.get(source) ?? []) {
      if (m.given >= m.count) continue;
      const score = m.count / (m.given + 1);
      if (score > bestScore) [best, bestScore] = [m, score];
    }
    if (!best)
      throw new TypeError(`VerifySourceFrozen placed fewer clones of source '${source}' than the plan has`);
    best.given += 1;
    return best.path;
  });
}
