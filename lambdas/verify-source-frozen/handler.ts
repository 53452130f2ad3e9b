// VerifySourceFrozen: logs in, finds every frozen VM of the sources the plan uses, checks versions and the frozen
// state, places each clone on one of its source's VMs by the hosts' free memory (placement.ts; a fleet that does
// not fit fails with HostCapacityExceeded here, before anything is created), and attaches the chosen VM's facts
// (host, guest family, first NIC, current IP) to each clone of the plan.
import * as z from 'zod';
import {
  type MoRef,
  type NicBacking,
  retrieveAll,
  toPropertyMap,
  type VsphereClient,
} from '../vsphere/index.js';
import { SourceNotFoundError } from '../workflow/errors.js';
import { faultNameOf, toWorkflowError } from '../workflow/faults.js';
import { HOST_THUMBPRINT, rememberHostThumbprint } from '../workflow/guest-process.js';
import { hostMemoryOf } from '../workflow/host-memory.js';
import { datacenterOf, resolveNetwork } from '../workflow/network.js';
import { cloneChargeMB, type PlacementMember, placeFleet } from '../workflow/placement.js';
import { logger } from '../workflow/powertools.js';
import { checkVcenterVersion } from '../workflow/session.js';
import { checkSource, HOST_PATHS, VM_PATHS } from '../workflow/source-check.js';
import { SOURCE_IDENTITY_PATHS, sourceRefs } from '../workflow/source-refs.js';
import { planItemState, runState, type SourceFacts } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { findVm, requiredRef } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

/**
 * One plan item per source VM of the round-robin plan, each with how many clones it got there (`count`; absent:
 * one item per clone), so that placement weighs the whole fleet while the parent's state stays small.
 */
const input = z.object({
  run: runState,
  clones: z.array(planItemState.extend({ count: z.number().int().min(1).optional() })).min(1),
});

type Read = Map<string, Record<string, unknown>>;

/** The sources and their hosts in one read (the hosts reached through runtime.host). */
async function readSources(c: VsphereClient, refs: MoRef[]): Promise<Read> {
  return toPropertyMap(
    await retrieveAll(c, [
      {
        propSet: [
          { type: 'VirtualMachine', all: false, pathSet: [...VM_PATHS, ...SOURCE_IDENTITY_PATHS] },
          // the host's TLS thumbprint comes along for RefreshGuestNetwork's pinned file transfer on this session
          { type: 'HostSystem', all: false, pathSet: [...HOST_PATHS, HOST_THUMBPRINT] },
        ],
        objectSet: refs.map((obj) => ({
          obj,
          skip: false,
          selectSet: [{ type: 'VirtualMachine', path: 'runtime.host' }],
        })),
      },
    ]),
  );
}

/**
 * Every source VM by path, read with its host. A warm container first tries the morefs it remembers
 * (source-refs.ts): when the read shows each is still the VM its path named, no FindByInventoryPath is made;
 * otherwise (ManagedObjectNotFound, another name or parent) the paths are looked up again and read again.
 */
async function findAndReadSources(
  c: VsphereClient,
  paths: string[],
  label: (path: string) => string,
): Promise<{ refs: Map<string, MoRef>; read: Read }> {
  const remembered = paths.map((path) => [path, sourceRefs.get(path)] as const);
  if (remembered.every(([, ref]) => ref !== undefined)) {
    const refs = new Map(remembered as [string, MoRef][]);
    const read = await readSources(c, [...refs.values()]).catch((error: unknown) => {
      if (faultNameOf(error) === 'ManagedObjectNotFound') return undefined;
      throw error;
    });
    if (read && [...refs].every(([path, ref]) => sourceRefs.confirmed(path, read.get(ref.value) ?? {})))
      return { refs, read };
    logger.info('a remembered source VM is gone or moved: looking its path up again', { paths });
    for (const path of paths) sourceRefs.forget(path);
  }
  const refs = new Map<string, MoRef>();
  for (const path of paths) {
    const ref = await findVm(c, path);
    if (!ref) throw new SourceNotFoundError(`${label(path)} does not exist`);
    refs.set(path, ref);
  }
  const read = await readSources(c, [...refs.values()]);
  for (const [path, ref] of refs) sourceRefs.remember(path, ref, read.get(ref.value) ?? {});
  return { refs, read };
}

const options = { input, needs: HANDLER_NEEDS };
export const handler = workflowHandler(options, async ({ run, clones }, { vcenter, config }) => {
  const end = startPhase();
  const c = await vcenter();
  checkVcenterVersion(c);
  // Every frozen VM of each source the plan uses (the plan's own paths if the source left the config since).
  const groups = new Map<string, string[]>();
  for (const p of clones) {
    const paths = groups.get(p.source) ?? [...(config.sources[p.source]?.paths ?? [])];
    if (!paths.includes(p.sourcePath)) paths.push(p.sourcePath);
    groups.set(p.source, paths);
  }
  const sourceOf = new Map([...groups].flatMap(([name, paths]) => paths.map((path) => [path, name])));
  const paths = [...sourceOf.keys()];
  const label = (path: string) => `source '${sourceOf.get(path)}' (${path})`;
  try {
    const { refs, read } = await findAndReadSources(c, paths, label);
    const vms = new Map([...refs.values()].map((ref) => [ref.value, read.get(ref.value) ?? {}]));
    const hostIds = new Set(
      [...vms.values()].flatMap((p) => (p['runtime.host'] as MoRef | undefined)?.value ?? []),
    );
    const hosts = new Map([...read].filter(([id]) => hostIds.has(id)));
    for (const props of vms.values()) {
      const host = props['runtime.host'] as MoRef | undefined;
      const thumbprint = host && hosts.get(host.value)?.[HOST_THUMBPRINT];
      if (host && typeof thumbprint === 'string') rememberHostThumbprint(c, host, thumbprint);
    }
    // The request's folder and pool, once per run instead of once per clone (InstantClone takes them from the run).
    const folderRef = run.folder ? await requiredRef(c, 'folder', run.folder) : null;
    const poolRef = run.pool ? await requiredRef(c, 'pool', run.pool) : null;
    const backings = new Map<string, NicBacking>();
    if (run.network) {
      for (const dc of new Set(paths.map(datacenterOf)))
        backings.set(dc, await resolveNetwork(c, dc, run.network));
    }
    const facts = new Map<string, SourceFacts>();
    const members = new Map<string, PlacementMember[]>();
    for (const [path, ref] of refs) {
      const props = vms.get(ref.value) ?? {};
      const host = hosts.get((props['runtime.host'] as MoRef | undefined)?.value ?? '') ?? {};
      const f = checkSource(label(path), ref, props, host, backings.get(datacenterOf(path)) ?? null);
      facts.set(path, f);
      const memoryMB =
        typeof props['config.hardware.memoryMB'] === 'number' ? props['config.hardware.memoryMB'] : null;
      const name = sourceOf.get(path) as string;
      members.set(name, [
        ...(members.get(name) ?? []),
        {
          path,
          host: f.host.value,
          memoryMB,
          chargeMB: cloneChargeMB(memoryMB, config.defaults.cloneMemoryFraction),
        },
      ]);
    }
    const hostMemory = new Map(
      [...hosts].map(([id, props]) => [id, { name: String(props.name ?? id), ...hostMemoryOf(props) }]),
    );
    // The whole fleet, clone by clone, in the order of the items (each item stands for `count` clones).
    const fleet = clones.flatMap((p) => Array.from({ length: p.count ?? 1 }, () => p));
    const placed = placeFleet(fleet, members, hostMemory, config.defaults);
    logger.info('placement', { hosts: [...hostMemory.values()] });
    // Only the VMs that got clones (at most one entry per clone, as ValidateRequest's payload estimate counts).
    const sources = [...facts]
      .filter(([path]) => placed.includes(path))
      .map(([path, f]) => ({
        path,
        vm: f.vm,
        host: f.hostName,
        guestFamily: f.guestFamily,
        clones: placed.filter((p) => p === path).length,
      }));
    // One item per source VM that got clones, with its count and facts: PlanSlice turns the counts back into
    // each clone's source VM (pathsFromCounts), so every child of the fan-out follows this placement.
    const enriched = sources.map((s) => {
      const source = sourceOf.get(s.path) as string;
      const template = fleet.find((p) => p.source === source) as (typeof fleet)[number];
      return { ...template, sourcePath: s.path, count: s.clones, sourceVm: facts.get(s.path) as SourceFacts };
    });
    const placement = sources.map((s) => ({
      source: sourceOf.get(s.path) as string,
      sourcePath: s.path,
      vm: s.vm,
      count: s.clones,
    }));
    return { run: { ...run, placement, folderRef, poolRef }, clones: enriched, sources, timing: end() };
  } catch (error) {
    throw toWorkflowError(error, 'verify', paths.join(', '));
  }
});
