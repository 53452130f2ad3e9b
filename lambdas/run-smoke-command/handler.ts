// RunSmokeCommand: the request's optional smoke command in a ready clone; a non-zero exit fails the clone.
import { SmokeCommandFailedError } from '../workflow/errors.js';
import { toWorkflowError } from '../workflow/faults.js';
import { runInGuest } from '../workflow/guest-process.js';
import { smokeProgram } from '../workflow/guest-scripts.js';
import { recordGuestRetry } from '../workflow/powertools.js';
import { perCloneInput } from '../workflow/states.js';
import { startPhase } from '../workflow/timing.js';
import { workflowHandler } from '../workflow/workflow-handler.js';

export const handler = workflowHandler(
  { input: perCloneInput, guest: true, permit: 'guest' },
  async ({ run, clone, created }, { vcenter, guestCredentials, remainingMs }) => {
    const end = startPhase();
    const auth = guestCredentials(clone.source);
    const c = await vcenter();
    try {
      const program = smokeProgram(clone.os, run.smokeCommand ?? 'exit 0');
      const exitCode = await runInGuest(c, created.moref, auth, program, remainingMs());
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
