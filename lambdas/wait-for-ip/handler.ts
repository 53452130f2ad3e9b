// WaitForIp: no clone is Ready on an address the guest was not seen holding. When RefreshGuestNetwork already
// saw the address in guest.net (`ipSeenIn: "guest.net"`, judged there as here), it is the answer. DHCP: the
// address the refresh script reported on the clone's NIC wins; without one, guest.net is watched with
// WaitForUpdatesEx (pushed by Tools, no fixed sleeps) until an IPv4 on the clone's own MAC appears that is not
// link-local and not the source's. Static: guest.net must show the static address on the clone's MAC and no
// other (IpMismatch otherwise), even when the script's report agreed. The deadline lies inside this one
// invocation (IpTimeout).
import * as z from 'zod';
import { waitForProperty } from '../vsphere/index.js';
import { IpMismatchError, IpTimeoutError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { addressesOnMac, type GuestNic, isUsableIpv4, judgeAddresses } from '../workflow/ip-selection.js';
import { recordPhase } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { list } from '../workflow/vsphere-ops.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

const input = perCloneInput.extend({
  reportedIp: z.string().nullable(),
  /** Where RefreshGuestNetwork saw reportedIp; absent from executions started before it said. */
  ipSeenIn: z.enum(['guest.net', 'guest-script']).nullable().default(null),
});

function seen(nets: GuestNic[]): string {
  const ips = nets.flatMap((n) => n.ipConfig?.ipAddress?.map((a) => a.ipAddress) ?? n.ipAddress ?? []);
  return ips.length ? ips.join(', ') : 'none';
}

export const handler = workflowHandler(
  { input, needs: HANDLER_NEEDS },
  async ({ run, clone, created, reportedIp, ipSeenIn }, { vcenter, remainingMs }) => {
    const end = startPhase();
    const criteria = { cloneMac: created.mac, sourceIp: clone.sourceVm.ip };
    const staticIp = clone.staticIp?.address ?? null;
    if (ipSeenIn === 'guest.net' && reportedIp) {
      const verdict = judgeAddresses([reportedIp], criteria, staticIp);
      if (verdict && 'ip' in verdict) return { ip: verdict.ip, via: 'guest.net', timing: end() };
    }
    if (!staticIp && reportedIp && isUsableIpv4(reportedIp, criteria.sourceIp)) {
      return { ip: reportedIp, via: 'guest-script', timing: end() };
    }
    const mismatch = (held: string[]) =>
      new IpMismatchError(
        `${clone.name} (MAC ${created.mac}) holds ${held.join(', ')} in guest.net; it is to have only its static ${staticIp}`,
      );
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
          const held = addressesOnMac(last, created.mac);
          return staticIp ? held.includes(staticIp) : judgeAddresses(held, criteria, null) !== null;
        },
        { timeoutMs, maxWaitSeconds: 20 },
      );
      const verdict = judgeAddresses(addressesOnMac(list<GuestNic>(nets), created.mac), criteria, staticIp);
      if (!verdict || 'mismatch' in verdict) throw mismatch(verdict?.mismatch ?? []);
      const timing = end();
      recordPhase('ipPhaseMs', timing);
      return { ip: verdict.ip, via: 'guest.net', timing };
    } catch (error) {
      if ((error as Error).name === 'VsphereTimeoutError') {
        const held = addressesOnMac(last, created.mac);
        if (staticIp && held.length > 0) throw mismatch(held);
        throw new IpTimeoutError(
          `${clone.name} (MAC ${created.mac}) had no ${staticIp ? `static ${staticIp}` : 'usable IPv4'} after ${Math.round(timeoutMs / 1000)} s; addresses seen: ${seen(last)}`,
        );
      }
      throw toWorkflowError(error, 'ip', `clone ${clone.name}`);
    }
  },
);
