// RunSmokeCommand: the request's optional smoke command in a ready clone; a non-zero exit fails the clone.
import { SmokeCommandFailedError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { runInGuest } from '../workflow/guest-process.js';
import { smokeProgram } from '../workflow/guest-scripts.js';
import { recordGuestRetry } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { tableAccess } from '../workflow/table-access.js';
import { startPhase } from '../workflow/timing.js';
import { workflowHandler } from '../workflow/workflow-handler.js';
import { HANDLER_NEEDS } from './needs.js';

export const handler = workflowHandler(
  { input: perCloneInput, needs: HANDLER_NEEDS, table: tableAccess },
  async ({ run, clone, created }, { vcenter, smokeCredentials, remainingMs }) => {
    const end = startPhase();
    const auth = smokeCredentials(clone.source);
    const c = await vcenter();
    try {
      const program = smokeProgram(clone.os, run.smokeCommand ?? 'exit 0');
      const exitCode = await runInGuest(
        c,
        created.moref,
        auth,
        program,
        remainingMs(),
        `smoke:${clone.source}`,
      );
      if (exitCode !== 0)
        throw new SmokeCommandFailedError(`smoke command in ${clone.name} exited with ${exitCode}`);
      return { exitCode, timing: end() };
    } catch (error) {
      const mapped = toWorkflowError(error, 'guest', `clone ${clone.name}`);
      // The ASL retries this one; counted so the dashboard's guest-op retries widget has data.
      if (mapped.name === 'GuestOpsUnavailable') recordGuestRetry();
      throw mapped;
    }
  },
);
