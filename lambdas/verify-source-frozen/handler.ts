// VerifySourceFrozen: logs in, finds every source VM the plan uses, checks versions and the frozen state, and
// attaches the source's facts (host, guest family, first NIC, current IP) to each clone of the plan.
import * as z from 'zod';
import { type MoRef, type NicBacking, retrieveProperties } from '../vsphere/index.js';
import { SourceNotFoundError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
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
    const vms = await retrieveProperties(c, [...refs.values()], VM_PATHS);
    const hostRefs = [...vms.values()].map((p) => p['runtime.host'] as MoRef);
    const hosts = await retrieveProperties(c, hostRefs, HOST_PATHS);
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
