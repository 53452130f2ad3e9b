// The simulator plus a logged-in vSphere client, for tests of code that talks to vCenter directly.
import { afterAll, beforeAll } from 'vitest';

import { VsphereClient } from '../../lambdas/vsphere/index.js';
import { type SimulatorOptions, startSimulator } from '../../local/simulator/index.js';
import type { RunningSimulator } from '../../local/simulator/types.js';

export interface SimulatorWithClient {
  sim: RunningSimulator;
  client: VsphereClient;
  /** Logs the client out, then stops the simulator. */
  stop(): Promise<void>;
}

export async function startSimulatorWithClient(
  options: SimulatorOptions = { timeScale: 0.01 },
): Promise<SimulatorWithClient> {
  const sim = await startSimulator(options);
  // The simulator's certificate is self-signed, made at start.
  const client = await VsphereClient.connect({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    insecure: true,
  });
  return {
    sim,
    client,
    async stop() {
      await client.close();
      await sim.stop();
    },
  };
}

/**
 * Registers beforeAll/afterAll for one simulator and client shared by a describe block; the returned object is
 * filled in before the first test runs.
 */
export function useSimulatorWithClient(options?: SimulatorOptions): SimulatorWithClient {
  const env = {} as SimulatorWithClient;
  beforeAll(async () => {
    Object.assign(env, await startSimulatorWithClient(options));
  });
  afterAll(() => env.stop());
  return env;
}
