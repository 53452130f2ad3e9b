// The EMF metrics the dashboard graphs are really emitted: a guest-op retry is counted once per retried call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../lambdas/workflow/aws-names.js';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { request, retried, run, simulator } from './helpers.js';

describe('handler metrics', () => {
  let sim: RunningSimulator;
  const written: string[] = [];
  const original = process.stdout.write;

  beforeAll(async () => {
    // Read by Powertools when runLocalWorkflow first imports the handlers, i.e. after this.
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    sim = await simulator();
    process.stdout.write = ((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
  });
  afterAll(async () => {
    process.stdout.write = original;
    await sim.stop();
  });

  it('count GuestOpsUnavailable retries of RefreshGuestNetwork', async () => {
    sim.injectFault({ method: 'StartProgramInGuest', fault: 'GuestOperationsUnavailable', count: 2 });
    const result = await run(sim, request());
    expect(result.status).toBe('SUCCEEDED');
    expect(retried(result, 'RefreshGuestNetwork')).toBe(2);
    const counted = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => (JSON.parse(line) as Record<string, unknown>)[METRICS.guestOpRetries])
      .filter((v) => v !== undefined);
    expect(counted).toEqual([1, 1]);
  });
});
