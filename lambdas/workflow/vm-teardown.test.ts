// The one teardown routine of the workflow and the Reaper, against the simulator's vCenter faults.
import { describe, expect, it } from 'vitest';
import { useSimulatorWithClient } from '../../test/support/simulator-client.js';
import { findByInventoryPath, type MoRef, powerOffVmTask, waitForTask } from '../vsphere/index.js';
import { tearDownVm } from './vm-teardown.js';

describe('tearDownVm', () => {
  const env = useSimulatorWithClient({ timeScale: 0.01 });
  const plant = async (name: string, powerState: string) => {
    env.sim.plantVm({ name, powerState });
    return (await findByInventoryPath(env.client, `DC0/vm/clones/${name}`)) as MoRef;
  };

  it('a VM already off when PowerOff runs (InvalidPowerState) is still destroyed', async () => {
    const vm = await plant('td-off', 'poweredOn');
    await waitForTask(env.client, await powerOffVmTask(env.client, vm));
    // The caller read "poweredOn" before someone else powered it off.
    expect(await tearDownVm(env.client, vm, { powerState: 'poweredOn', taskTimeoutMs: 10_000 })).toBe(
      'destroyed',
    );
    expect(env.sim.inventory().some((v) => v.name === 'td-off')).toBe(false);
  });

  it('a VM that is gone (ManagedObjectNotFound) is alreadyGone; a running one is powered off and destroyed', async () => {
    const vm = await plant('td-on', 'poweredOn');
    expect(await tearDownVm(env.client, vm, { taskTimeoutMs: 10_000 })).toBe('destroyed');
    expect(await tearDownVm(env.client, vm, { powerState: 'poweredOn', taskTimeoutMs: 10_000 })).toBe(
      'alreadyGone',
    );
    expect(env.sim.clones()).toEqual([]);
  });
});
