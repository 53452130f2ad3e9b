// VerifySourceFrozen: logs in, finds every source VM the plan uses, checks versions and the frozen state, and
// attaches the source's facts (host, guest family, first NIC, current IP) to each clone of the plan.
import * as z from 'zod';
import { type MoRef, type NicBacking, retrieveAll, toPropertyMap } from '../vsphere/index.js';
import { SourceNotFoundError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { HOST_THUMBPRINT, rememberHostThumbprint } from '../workflow/guest-process.js';
import { datacenterOf, resolveNetwork } from '../workflow/network.js';
import { checkVcenterVersion } from '../workflow/session.js';
import { checkSource, HOST_PATHS, VM_PATHS } from '../workflow/source-check.js';
import { planItemState, runState, type SourceFacts } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { findVm } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = z.object({ run: runState, clones: z.array(planItemState).min(1) });

const options = { input, needs: HANDLER_NEEDS };
export const handler = workflowHandler(options, async ({ run, clones }, { vcenter }) => {
  const end = startPhase();
  const c = await vcenter();
  checkVcenterVersion(c);
  const paths = [...new Set(clones.map((p) => p.sourcePath))];
  const label = (path: string) => `source '${clones.find((p) => p.sourcePath === path)?.source}' (${path})`;
  try {
    const refs = new Map<string, MoRef>();
    for (const path of paths) {
      const ref = await findVm(c, path);
      if (!ref) throw new SourceNotFoundError(`${label(path)} does not exist`);
      refs.set(path, ref);
    }
    // The sources and their hosts in one read (the hosts reached through runtime.host); the host's TLS
    // thumbprint comes along for RefreshGuestNetwork's pinned file transfer on this session.
    const read = toPropertyMap(
      await retrieveAll(c, [
        {
          propSet: [
            { type: 'VirtualMachine', all: false, pathSet: VM_PATHS },
            { type: 'HostSystem', all: false, pathSet: [...HOST_PATHS, HOST_THUMBPRINT] },
          ],
          objectSet: [...refs.values()].map((obj) => ({
            obj,
            skip: false,
            selectSet: [{ type: 'VirtualMachine', path: 'runtime.host' }],
          })),
        },
      ]),
    );
    const vms = new Map([...refs.values()].map((ref) => [ref.value, read.get(ref.value) ?? {}]));
    const hosts = read;
    for (const props of vms.values()) {
      const host = props['runtime.host'] as MoRef | undefined;
      const thumbprint = host && hosts.get(host.value)?.[HOST_THUMBPRINT];
      if (host && typeof thumbprint === 'string') rememberHostThumbprint(c, host, thumbprint);
    }
    const backings = new Map<string, NicBacking>();
    if (run.network) {
      for (const dc of new Set(paths.map(datacenterOf)))
        backings.set(dc, await resolveNetwork(c, dc, run.network));
    }
    const facts = new Map<string, SourceFacts>();
    for (const [path, ref] of refs) {
      const props = vms.get(ref.value) ?? {};
      const host = hosts.get((props['runtime.host'] as MoRef | undefined)?.value ?? '') ?? {};
      facts.set(path, checkSource(label(path), ref, props, host, backings.get(datacenterOf(path)) ?? null));
    }
    const sources = [...facts].map(([path, f]) => ({
      path,
      vm: f.vm,
      host: f.hostName,
      guestFamily: f.guestFamily,
    }));
    const enriched = clones.map((p) => ({ ...p, sourceVm: facts.get(p.sourcePath) as SourceFacts }));
    return { run, clones: enriched, sources, timing: end() };
  } catch (error) {
    throw toWorkflowError(error, 'verify', paths.join(', '));
  }
});
