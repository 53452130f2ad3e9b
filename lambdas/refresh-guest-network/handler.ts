// RefreshGuestNetwork: one guest script renews the clone's network (driver reload + DHCP renew, or the static
// address) on the interface that carries the clone's MAC and writes that interface's addresses to a file, read
// back here so WaitForIp can skip waiting for Tools. A static clone whose report shows any other address fails
// here with IpMismatch. The read-back is pinned to the clone's ESXi host certificate (its sslThumbprint).

import { GuestScriptFailedError, IpMismatchError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import {
  forgetHostThumbprint,
  hostThumbprintOf,
  readGuestFile,
  runInGuest,
} from '../workflow/guest-process.js';
import {
  addressesInReport,
  EXIT_NO_INTERFACE_WITH_MAC,
  outputPathFor,
  refreshProgram,
} from '../workflow/guest-scripts.js';
import { judgeAddresses } from '../workflow/ip-selection.js';
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
    const end = startPhase();
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
    // Never rejects. Read over an unverified (insecure) session the thumbprint could come from anyone, so it
    // would pin nothing: then the transfer runs unverified like the session, and says so.
    const thumbprint = config.vcenter.insecure
      ? unpinned()
      : hostThumbprintOf(c, created.moref, clone.sourceVm.host);
    try {
      const limitMs = Math.min(config.defaults.guestScriptTimeoutSeconds * 1000, remainingMs());
      // A static address takes no DHCP exchange: its run times are learned apart.
      const kind = `refresh:${clone.source}:${clone.staticIp ? 'static' : 'dhcp'}`;
      const exitCode = await runInGuest(c, created.moref, auth, program, limitMs, kind);
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
      const pin = await thumbprint;
      const report = await readGuestFile(c, created.moref, auth, outputPath, { thumbprint: pin });
      // A remembered thumbprint may be stale (a renewed certificate, a clone moved off its source's host).
      if (report === null && pin) forgetHostThumbprint(c, clone.sourceVm.host);
      const candidates = report ? addressesInReport(report, clone.os, created.mac, source?.nicName) : [];
      const staticIp = clone.staticIp?.address ?? null;
      const verdict = judgeAddresses(
        candidates,
        { cloneMac: created.mac, sourceIp: clone.sourceVm.ip },
        staticIp,
      );
      if (verdict && 'mismatch' in verdict) {
        throw new IpMismatchError(
          `${clone.name} (MAC ${created.mac}) holds ${verdict.mismatch.join(', ')} after the refresh; it is to have only its static ${staticIp}`,
        );
      }
      const reportedIp = verdict?.ip ?? null;
      const timing = end();
      recordPhase('refreshPhaseMs', timing);
      return { reportedIp, exitCode, timing };
    } catch (error) {
      const mapped = toWorkflowError(error, 'guest', `clone ${clone.name}`);
      // The ASL retries this one; counted so the dashboard's guest-op retries widget has data.
      if (mapped.name === 'GuestOpsUnavailable') recordGuestRetry();
      throw mapped;
    }
  },
);
