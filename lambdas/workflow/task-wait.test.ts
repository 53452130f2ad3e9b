// Waiting for tasks from data against the simulator: a filter while this container has no data, then one read
// of the task's info where tasks of that kind usually end; task faults, session loss.
import { beforeEach, describe, expect, it } from 'vitest';
import { useSimulatorWithClient } from '../../test/support/simulator-client.js';
import { findByInventoryPath, type MoRef, powerOffVmTask } from '../vsphere/index.js';
import { isTaskError } from './clone-tasks.js';
import { runTimes } from './run-times.js';
import { awaitTask } from './task-wait.js';
import { tearDownVm } from './vm-teardown.js';

describe('awaitTask', () => {
  // PowerOff takes 50 ms here.
  const env = useSimulatorWithClient({ timeScale: 0.05 });
  const plant = async (name: string, powerState = 'poweredOn') => {
    env.sim.plantVm({ name, powerState });
    return (await findByInventoryPath(env.client, `DC0/vm/clones/${name}`)) as MoRef;
  };
  const callsSince = (before: Record<string, number>) => {
    const now = env.sim.stats().calls;
    return Object.fromEntries(
      Object.entries(now)
        .map(([m, n]) => [m, n - (before[m] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  };
  const cleanUp = async (...vms: MoRef[]) => {
    for (const vm of vms) await tearDownVm(env.client, vm, { taskTimeoutMs: 10_000 });
    expect(env.sim.clones()).toEqual([]);
  };
  beforeEach(() => runTimes.forget());

  it('without data waits by filter; with data reads the task once it usually ended, no filter', async () => {
    const [a, b] = [await plant('tw-a'), await plant('tw-b')];
    let before = { ...env.sim.stats().calls };
    await awaitTask(env.client, await powerOffVmTask(env.client, a), { kind: 'test', timeoutMs: 10_000 });
    expect(callsSince(before)).toMatchObject({ CreateFilter: 1, DestroyPropertyFilter: 1 });
    expect(runTimes.known('task:test')).toBe(true);

    before = { ...env.sim.stats().calls };
    await awaitTask(env.client, await powerOffVmTask(env.client, b), { kind: 'test', timeoutMs: 10_000 });
    const second = callsSince(before);
    expect(second.CreateFilter).toBeUndefined();
    expect(second.WaitForUpdatesEx).toBeUndefined();
    expect(second.RetrievePropertiesEx).toBeGreaterThanOrEqual(1);
    expect(second.RetrievePropertiesEx).toBeLessThanOrEqual(4);
    await cleanUp(a, b);
  });

  it("throws the task's own fault (and learns nothing from it)", async () => {
    const off = await plant('tw-off', 'poweredOff');
    const error = await awaitTask(env.client, await powerOffVmTask(env.client, off), {
      kind: 'failing',
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(isTaskError(error)).toBe(true);
    expect((error as { faultName?: string }).faultName).toBe('InvalidPowerState');
    expect(runTimes.known('task:failing')).toBe(false);
    await cleanUp(off);
  });

  it('a session lost while looking: the read logs in again and the result still arrives', async () => {
    const [a, b] = [await plant('tw-s1'), await plant('tw-s2')];
    await awaitTask(env.client, await powerOffVmTask(env.client, a), { kind: 'loss', timeoutMs: 10_000 });
    const logins = env.sim.stats().calls.Login ?? 0;
    const task = await powerOffVmTask(env.client, b);
    env.sim.injectFault({ method: 'RetrievePropertiesEx', fault: 'NotAuthenticated', count: 1 });
    await awaitTask(env.client, task, { kind: 'loss', timeoutMs: 10_000 });
    expect((env.sim.stats().calls.Login ?? 0) - logins).toBe(1);
    await cleanUp(a, b);
  });
});
