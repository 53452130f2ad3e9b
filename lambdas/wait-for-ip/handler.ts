// WaitForIp: the address the refresh script reported wins if it is acceptable; otherwise guest.net is watched
// with WaitForUpdatesEx (pushed by Tools, no fixed sleeps) until an IPv4 on the clone's own MAC appears that is
// not link-local and not the source's, or the deadline inside this one invocation passes (IpTimeout).
import { z } from 'zod';
import { waitForProperty } from '../vsphere/index.js';
import { IpTimeoutError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { type GuestNic, isUsableIpv4, selectIp } from '../workflow/ip-selection.js';
import { recordPhase } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { list } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = perCloneInput.extend({ reportedIp: z.string().nullable() });

function seen(nets: GuestNic[]): string {
  const ips = nets.flatMap((n) => n.ipConfig?.ipAddress?.map((a) => a.ipAddress) ?? n.ipAddress ?? []);
  return ips.length ? ips.join(', ') : 'none';
}

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS },
  async ({ run, clone, created, reportedIp }, { vcenter, remainingMs }) => {
    const end = startPhase();
    const criteria = { cloneMac: created.mac, sourceIp: clone.sourceVm.ip };
    if (reportedIp && isUsableIpv4(reportedIp, criteria.sourceIp)) {
      return { ip: reportedIp, via: 'guest-script', timing: end() };
    }
    const c = await vcenter();
    // At least one look at guest.net, even when the invocation is nearly out of time.
    const timeoutMs = Math.max(1_000, Math.min(run.ipTimeoutSeconds * 1000, remainingMs()));
    let last: GuestNic[] = [];
    try {
      const nets = await waitForProperty<unknown>(
        c,
        created.moref,
        'guest.net',
        (value) => {
          last = list<GuestNic>(value);
          return selectIp(last, criteria) !== null;
        },
        { timeoutMs, maxWaitSeconds: 20 },
      );
      const ip = selectIp(list<GuestNic>(nets), criteria) as string;
      const timing = end();
      recordPhase('ipPhaseMs', timing);
      return { ip, via: 'guest.net', timing };
    } catch (error) {
      if ((error as Error).name === 'VsphereTimeoutError') {
        throw new IpTimeoutError(
          `${clone.name} (MAC ${created.mac}) had no usable IPv4 after ${Math.round(timeoutMs / 1000)} s; addresses seen: ${seen(last)}`,
        );
      }
      throw toWorkflowError(error, 'ip', `clone ${clone.name}`);
    }
  },
);
