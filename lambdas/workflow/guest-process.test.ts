// The refresh handler's read-back helpers against the simulator (HTTPS, self-signed): the clone's host
// thumbprint in one RetrievePropertiesEx, and a guest file read pinned to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../local/simulator/types.js';
import { type SimulatorWithClient, startSimulatorWithClient } from '../../test/support/simulator-client.js';
import type { VsphereClient } from '../vsphere/index.js';
import { hostThumbprintOf, readGuestFile, runInGuest } from './guest-process.js';

describe('guest file read-back pinned to the ESXi host', () => {
  let sim: RunningSimulator;
  let c: VsphereClient;
  let env: SimulatorWithClient;
  beforeAll(async () => {
    env = await startSimulatorWithClient();
    ({ sim, client: c } = env);
  });
  afterAll(() => env.stop());

  it("looks up the VM's host thumbprint in one round trip and reads the file through the pin", async () => {
    const vm = sim.plantVm({ name: 'readback-1' }).moref;
    const auth = { ...sim.guest.linux };
    const program = { programPath: '/bin/sh', arguments: "-c 'echo 198.18.7.7 > /tmp/report.txt'" };
    expect(await runInGuest(c, vm, auth, program, 5_000)).toBe(0);

    const before = sim.stats().calls.RetrievePropertiesEx ?? 0;
    const thumbprint = await hostThumbprintOf(c, vm);
    expect((sim.stats().calls.RetrievePropertiesEx ?? 0) - before).toBe(1);
    expect(thumbprint).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);

    expect(await readGuestFile(c, vm, auth, '/tmp/report.txt', { thumbprint })).toMatch(/^198\.18\.7\.7\s*$/);
    const wrong = `${thumbprint?.startsWith('00') ? '01' : '00'}${thumbprint?.slice(2)}`;
    expect(await readGuestFile(c, vm, auth, '/tmp/report.txt', { thumbprint: wrong })).toBeNull();
  });

  it('gives undefined (no pin) for a VM that is gone', async () => {
    expect(await hostThumbprintOf(c, { type: 'VirtualMachine', value: 'vm-gone' })).toBeUndefined();
  });
});
