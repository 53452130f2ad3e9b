// A lost session against the simulator: missingSet faults are errors, concurrent callers share one re-login,
// and every wait starts over on the new session.
import { describe, expect, it } from 'vitest';
import { useSimulatorWithClient } from '../../test/support/simulator-client.js';
import * as v from './index.js';
import { missingSetFault } from './missing-set.js';

const logins = (env: { sim: { stats(): { calls: Record<string, number> } } }) =>
  env.sim.stats().calls.Login ?? 0;

describe('vSphere client after a lost session', () => {
  const env = useSimulatorWithClient({ timeScale: 0.01 });

  it('a property read on a dead session (missingSet NotAuthenticated) logs in again and reads the values', async () => {
    const c = env.client;
    const vm = (await v.findByInventoryPath(c, env.sim.sources.linux)) as v.MoRef;
    env.sim.expireSessions();
    const before = logins(env);
    const props = await v.retrieveProperties(c, [vm], ['name', 'runtime.powerState']);
    expect(props.get(vm.value)).toEqual({ name: 'ic-src-linux', 'runtime.powerState': 'poweredOn' });
    expect(logins(env) - before).toBe(1);
  });

  it('two concurrent calls on one expired session both succeed with one Login', async () => {
    const c = env.client;
    const vm = (await v.findByInventoryPath(c, env.sim.sources.linux)) as v.MoRef;
    env.sim.expireSessions();
    const before = logins(env);
    const [found, props] = await Promise.all([
      v.findByInventoryPath(c, env.sim.sources.windows),
      v.retrieveProperties(c, [vm], ['name']),
    ]);
    expect(found?.type).toBe('VirtualMachine');
    expect(props.get(vm.value)?.name).toBe('ic-src-linux');
    expect(logins(env) - before).toBe(1);
  });

  it('many concurrent callers on an expired session still share one Login', async () => {
    const c = env.client;
    env.sim.expireSessions();
    const before = logins(env);
    const paths = Object.values(env.sim.sources);
    const found = await Promise.all(
      paths.flatMap((p) => [v.findByInventoryPath(c, p), v.findByInventoryPath(c, p)]),
    );
    expect(found.every((f) => f?.type === 'VirtualMachine')).toBe(true);
    expect(logins(env) - before).toBe(1);
  });

  it('a session lost in the middle of waitForProperty: the wait starts over on the new session and completes', async () => {
    const c = env.client;
    const other = await v.VsphereClient.connect({
      url: env.sim.url,
      username: env.sim.username,
      password: env.sim.password,
      insecure: true,
    });
    try {
      const clone = (await v.waitForTask(
        other,
        await v.cloneVmTask(
          other,
          (await v.findByInventoryPath(other, env.sim.sources.linux)) as v.MoRef,
          (await v.findByInventoryPath(other, 'DC0/vm/clones')) as v.MoRef,
          'wait-over-relogin',
          { location: {}, template: false, powerOn: true },
        ),
      )) as v.MoRef;
      const generation = c.sessionGeneration;
      // The session dies just before the wait's first WaitForUpdatesEx: after CreateFilter, mid-wait.
      env.sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'NotAuthenticated', count: 1 });
      const waiting = v.waitForProperty<string>(c, clone, 'runtime.powerState', (s) => s === 'poweredOff', {
        timeoutMs: 60_000,
        maxWaitSeconds: 1,
      });
      await v.waitForTask(other, await v.powerOffVmTask(other, clone)).catch(async () => {
        // `other` lost its session too (the injected loss ends every session); it logs in again by itself.
      });
      expect(await waiting).toBe('poweredOff');
      expect(c.sessionGeneration).toBeGreaterThan(generation);
      await v.waitForTask(other, await v.destroyTask(other, clone));
    } finally {
      await other.close();
    }
    expect(env.sim.clones()).toEqual([]);
  });

  it('a session lost in the middle of waitForTask: the task result still arrives', async () => {
    const c = env.client;
    const src = (await v.findByInventoryPath(c, env.sim.sources.linux)) as v.MoRef;
    const folder = (await v.findByInventoryPath(c, 'DC0/vm/clones')) as v.MoRef;
    const task = await v.cloneVmTask(c, src, folder, 'task-over-relogin', {
      location: {},
      template: false,
      powerOn: false,
    });
    env.sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'NotAuthenticated', count: 1 });
    const clone = (await v.waitForTask(c, task, { timeoutMs: 60_000, maxWaitSeconds: 1 })) as v.MoRef;
    expect(clone.type).toBe('VirtualMachine');
    await v.waitForTask(c, await v.destroyTask(c, clone));
    expect(env.sim.clones()).toEqual([]);
  });

  it('an invalid property path fails the call with InvalidProperty', async () => {
    const c = env.client;
    const vm = (await v.findByInventoryPath(c, env.sim.sources.linux)) as v.MoRef;
    const err = await v.retrieveProperties(c, [vm], ['runtime.noSuchThing']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(v.VsphereFault);
    expect((err as v.VsphereFault).faultName).toBe('InvalidProperty');
  });
});

describe('missingSetFault', () => {
  it('turns any missingSet entry into a typed fault, from retrieve results and update sets alike', () => {
    const missing = {
      path: 'summary.quickStats',
      fault: { _type: 'LocalizedMethodFault', fault: { _type: 'NoPermission', privilegeId: 'System.Read' } },
    };
    const obj = { type: 'VirtualMachine', value: 'vm-1' };
    const fromRetrieve = missingSetFault({ objects: [{ obj, propSet: [], missingSet: [missing] }] });
    expect(fromRetrieve).toBeInstanceOf(v.VsphereFault);
    expect(fromRetrieve?.faultName).toBe('NoPermission');
    expect(fromRetrieve?.message).toContain('VirtualMachine vm-1 summary.quickStats');
    const fromUpdate = missingSetFault({
      version: '1',
      filterSet: [{ filter: obj, objectSet: [{ kind: 'enter', obj, changeSet: [], missingSet: missing }] }],
    });
    expect(fromUpdate?.faultName).toBe('NoPermission');
    const missingObject = missingSetFault({
      version: '1',
      filterSet: [
        { filter: obj, missingSet: [{ obj, fault: { fault: { _type: 'ManagedObjectNotFound', obj } } }] },
      ],
    });
    expect(missingObject?.faultName).toBe('ManagedObjectNotFound');
    expect(missingSetFault({ objects: [{ obj, propSet: [{ name: 'name', val: 'x' }] }] })).toBeUndefined();
    expect(missingSetFault(undefined)).toBeUndefined();
  });
});
