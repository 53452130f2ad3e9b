// A soak worker process: runs the seeds it is sent, one at a time, and answers with each run's outcome.
// Runs live in child processes because the handlers read WORKFLOW_CONFIG from this process's environment
// (one simulator URL at a time), and because a hung run's handlers may still be running after the abort:
// the worker exits after such a run so that nothing of it can touch the next one.
import { type RunSettings, runScenario } from './run-scenario.js';
import { planScenario } from './scenario.js';

export interface WorkerRequest {
  seed: number;
  settings: RunSettings;
}

// Handlers of an aborted run may fail after their simulator stopped; that is the run's business, not ours.
process.on('unhandledRejection', () => undefined);

process.on('message', (message: WorkerRequest) => {
  void (async () => {
    try {
      const outcome = await runScenario(planScenario(message.seed), message.settings);
      const done = outcome.status === 'HUNG' || outcome.status === 'CRASHED';
      process.send?.({ seed: message.seed, outcome }, undefined, {}, () => {
        if (done) process.exit(0);
      });
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ seed: message.seed, error: text }, undefined, {}, () => process.exit(1));
    }
  })();
});
