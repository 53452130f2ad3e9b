// The refresh handler's read-back helpers against the simulator (HTTPS, self-signed): the clone's host
// thumbprint in one RetrievePropertiesEx, and a guest file read pinned to it.
import { describe, expect, it } from 'vitest';
import { useSimulatorWithClient } from '../../test/support/simulator-client.js';
import { hostThumbprintOf, readGuestFile, runInGuest } from './guest-process.js';

describe('guest file read-back pinned to the ESXi host', () => {
  const env = useSimulatorWithClient();

  it("looks up the VM's host thumbprint in one round trip and reads the file through the pin", async () => {
    const vm = env.sim.plantVm({ name: 'readback-1' }).moref;
    const auth = { ...env.sim.guest.linux };
    const program = { programPath: '/bin/sh', arguments: "-c 'echo 198.18.7.7 > /tmp/report.txt'" };
    expect(await runInGuest(env.client, vm, auth, program, 5_000)).toBe(0);

    const before = env.sim.stats().calls.RetrievePropertiesEx ?? 0;
    const thumbprint = await hostThumbprintOf(env.client, vm);
    expect((env.sim.stats().calls.RetrievePropertiesEx ?? 0) - before).toBe(1);
    expect(thumbprint).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);

    expect(await readGuestFile(env.client, vm, auth, '/tmp/report.txt', { thumbprint })).toMatch(
      /^198\.18\.7\.7\s*$/,
    );
    const wrong = `${thumbprint?.startsWith('00') ? '01' : '00'}${thumbprint?.slice(2)}`;
    expect(await readGuestFile(env.client, vm, auth, '/tmp/report.txt', { thumbprint: wrong })).toBeNull();
  });

  it('gives undefined (no pin) for a VM that is gone', async () => {
    expect(await hostThumbprintOf(env.client, { type: 'VirtualMachine', value: 'vm-gone' })).toBeUndefined();
  });
});
