// RefreshGuestNetwork: one guest script renews the clone's network (driver reload + DHCP renew, or the static
// address) and writes the guest's addresses to a file, read back here so WaitForIp can skip waiting for Tools.
// The read-back is pinned to the clone's ESXi host certificate (its sslThumbprint, looked up meanwhile).

import { GuestScriptFailedError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { hostThumbprintOf, readGuestFile, runInGuest } from '../workflow/guest-process.js';
import { addressesInReport, outputPathFor, refreshProgram } from '../workflow/guest-scripts.js';
import { firstUsable } from '../workflow/ip-selection.js';
import { logger, recordGuestRetry, recordPhase } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
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
  { input: perCloneInput, needs: HANDLER_NEEDS },
  async ({ clone, created }, { config, vcenter, guestCredentials, remainingMs }) => {
    const end = startPhase();
    const source = config.sources[clone.source];
    const auth = guestCredentials(clone.source);
    const outputPath = outputPathFor(clone.os, clone.name);
    const program = refreshProgram({ ...source, os: clone.os, staticIp: clone.staticIp, outputPath });
    const c = await vcenter();
    // Never rejects. Read over an unverified (insecure) session the thumbprint could come from anyone, so it
    // would pin nothing: then the transfer runs unverified like the session, and says so.
    const thumbprint = config.vcenter.insecure ? unpinned() : hostThumbprintOf(c, created.moref);
    try {
      const limitMs = Math.min(config.defaults.guestScriptTimeoutSeconds * 1000, remainingMs());
      const exitCode = await runInGuest(c, created.moref, auth, program, limitMs);
      if (exitCode !== 0) {
        throw new GuestScriptFailedError(
          `network refresh in ${clone.name} (${clone.os}) exited with ${exitCode}`,
        );
      }
      const report = await readGuestFile(c, created.moref, auth, outputPath, {
        thumbprint: await thumbprint,
      });
      const candidates = report ? addressesInReport(report, clone.os, source?.nicName) : [];
      const reportedIp = firstUsable(candidates, clone.sourceVm.ip);
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
