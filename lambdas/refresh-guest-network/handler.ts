// RefreshGuestNetwork: one guest script renews the clone's network (driver reload + DHCP renew, or the static
// address) on the interface that carries the clone's MAC, asks Tools to send guest.net at once, and writes that
// interface's addresses to a file. The answer comes by push: guest.net showing the address the workflow takes
// (guest-net-push.ts), marked `ipSeenIn: "guest.net"` so WaitForIp needs no second wait. When the script ends
// without that (older Tools), its report is read back (pinned to the clone's ESXi host certificate, its
// sslThumbprint) as before; a static clone whose report shows any other address fails here with IpMismatch.

import { GuestScriptFailedError, IpMismatchError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { runUntilGuestNetShows } from '../workflow/guest-net-push.js';
import { forgetHostThumbprint, hostThumbprintOf, readGuestFile } from '../workflow/guest-process.js';
import {
  addressesInReport,
  EXIT_NO_INTERFACE_WITH_MAC,
  outputPathFor,
  refreshProgram,
} from '../workflow/guest-scripts.js';
import { addressesOnMac, judgeAddresses } from '../workflow/ip-selection.js';
import { logger, recordGuestRetry, recordPhase } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { startPhase } from '../workflow/timing.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

async function unpinned(): Promise<undefined> {
  logger.warn(
    'vCenter TLS is insecure, so ESXi thumbprints are not pinned: guest file transfer is unverified',
  );
  return undefined;
}

export const handler = workflowHandler(
  { input: perCloneInput, needs: HANDLER_NEEDS, table: tableAccess },
  async ({ clone, created }, { config, vcenter, guestCredentials, remainingMs }) => {
    const endPhase = startPhase();
    const source = config.sources[clone.source];
    const auth = guestCredentials(clone.source);
    const outputPath = outputPathFor(clone.os, clone.name);
    const program = refreshProgram({
      ...source,
      os: clone.os,
      mac: created.mac,
      staticIp: clone.staticIp,
      outputPath,
    });
    const c = await vcenter();
    const criteria = { cloneMac: created.mac, sourceIp: clone.sourceVm.ip };
    const staticIp = clone.staticIp?.address ?? null;
    try {
      const limitMs = Math.min(config.defaults.guestScriptTimeoutSeconds * 1000, remainingMs());
      // A static address takes no DHCP exchange: its run times are learned apart.
      const kind = `refresh:${clone.source}:${clone.staticIp ? 'static' : 'dhcp'}`;
      const end = await runUntilGuestNetShows(c, created.moref, auth, program, {
        timeoutMs: limitMs,
        kind,
        accept: (nets) => {
          const verdict = judgeAddresses(addressesOnMac(nets, created.mac), criteria, staticIp);
          return verdict && 'ip' in verdict ? verdict.ip : null;
        },
      });
      if ('seenIp' in end) {
        const timing = endPhase();
        recordPhase('refreshPhaseMs', timing);
        return { reportedIp: end.seenIp, ipSeenIn: 'guest.net', exitCode: null, timing };
      }
      const { exitCode } = end;
      if (exitCode === EXIT_NO_INTERFACE_WITH_MAC && clone.os === 'linux') {
        throw new GuestScriptFailedError(
          `network refresh in ${clone.name} (linux) exited with ${exitCode}: no interface has the clone's MAC ${created.mac}; does the source use vmxnet3?`,
        );
      }
      if (exitCode !== 0) {
        throw new GuestScriptFailedError(
          `network refresh in ${clone.name} (${clone.os}) exited with ${exitCode}`,
        );
      }
      // Read over an unverified (insecure) session the thumbprint could come from anyone, so it would pin
      // nothing: then the transfer runs unverified like the session, and says so.
      const pin = config.vcenter.insecure
        ? await unpinned()
        : await hostThumbprintOf(c, created.moref, clone.sourceVm.host);
      const report = await readGuestFile(c, created.moref, auth, outputPath, { thumbprint: pin });
      // A remembered thumbprint may be stale (a renewed certificate, a clone moved off its source's host).
      if (report === null && pin) forgetHostThumbprint(c, clone.sourceVm.host);
      const candidates = report ? addressesInReport(report, clone.os, created.mac, source?.nicName) : [];
      const verdict = judgeAddresses(candidates, criteria, staticIp);
      if (verdict && 'mismatch' in verdict) {
        throw new IpMismatchError(
          `${clone.name} (MAC ${created.mac}) holds ${verdict.mismatch.join(', ')} after the refresh; it is to have only its static ${staticIp}`,
        );
      }
      const reportedIp = verdict?.ip ?? null;
      const timing = endPhase();
      recordPhase('refreshPhaseMs', timing);
      return { reportedIp, ipSeenIn: reportedIp ? 'guest-script' : null, exitCode, timing };
    } catch (error) {
      const mapped = toWorkflowError(error, 'guest', `clone ${clone.name}`);
      // The ASL retries this one; counted so the dashboard's guest-op retries widget has data.
      if (mapped.name === 'GuestOpsUnavailable') recordGuestRetry();
      throw mapped;
    }
  },
);
