// Secrets never reach the logs: the handlers' Powertools logs and EMF at DEBUG, through a happy run, a session
// expiry (re-login) and a rejected guest password, are captured and scanned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { request, run, simulator } from './helpers.js';

describe('handler logs', () => {
  let sim: RunningSimulator;
  const written: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };

  beforeAll(async () => {
    // Read by Powertools when runLocalWorkflow first imports the handlers, i.e. after this.
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    sim = await simulator();
    // Captured, not passed on: at DEBUG the handlers would flood the test output.
    const capture = ((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
  });
  afterAll(async () => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
    await sim.stop();
  });

  it('carry no vCenter or guest password and no session cookie', async () => {
    const expired = await run(sim, request(), {
      taskHook: ({ state, phase }) => {
        if (state === 'ReconnectNic' && phase === 'before') sim.expireSessions();
      },
    });
    expect(expired.status).toBe('SUCCEEDED');
    const rejected = await run(sim, request(), {
      guest: { linux: { username: 'root', password: 'Wrong-Guest-Pass!' } },
    });
    expect(rejected.error).toBe('GuestLoginFailed');

    const logs = written.join('');
    // The scan means something only if the handlers did log, at DEBUG, with metrics.
    expect(logs).toContain('"level":"DEBUG"');
    expect(logs).toContain('GuestLoginFailed');
    expect(logs).toContain('_aws');
    for (const secret of [sim.password, sim.guest.linux.password, 'Wrong-Guest-Pass!']) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/vmware_soap_session/i);
  });
});
