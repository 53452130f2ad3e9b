import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as v from '../../lambdas/vsphere/index.js';
import { findRunCloneSettled, settleInstantCloneTasks } from '../../lambdas/workflow/clone-tasks.js';
import { hostMemoryOf } from '../../lambdas/workflow/host-memory.js';
import { cloneChargeMB, placeFleet } from '../../lambdas/workflow/placement.js';
import { HOST_PATHS } from '../../lambdas/workflow/source-check.js';
import { type RunningVcsim, startVcsim, vcsimUnavailable } from './vcsim.js';

// The project's vSphere client against VMware's vcsim (govmomi 0.24.2). vcsim lacks
// InstantClone_Task and real guest operations, so those are covered by golden-XML tests only.
const missing = vcsimUnavailable();
const inCi = process.env.CI === 'true';
if (missing && !inCi) console.warn(`SKIPPED vcsim peer tests: ${missing}`);

const SOURCE = 'DC0/vm/DC0_H0_VM0';

describe.skipIf(Boolean(missing) && !inCi)('vSphere client against vcsim', () => {
  let sim: RunningVcsim;
  let c: v.VsphereClient;
  const logs: string[] = [];
  const logger = {
    debug: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    info: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    warn: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    error: (...a: unknown[]) => logs.push(JSON.stringify(a)),
  };
  const connect = () =>
    v.VsphereClient.connect({
      url: sim.url,
      username: sim.username,
      password: sim.password,
      caPem: sim.caPem,
      logger,
    });

  // Building and starting vcsim takes about 20 s alone but over 120 s when many suites share two cores.
  beforeAll(async () => {
    if (missing) throw new Error(`vcsim peer is required in CI: ${missing}`);
    sim = await startVcsim();
    c = await connect();
  }, 600_000);
  afterAll(async () => {
    await c?.close();
    await sim?.stop();
  });

  it('RetrieveServiceContent + Login at connect (TLS verified with caPem)', () => {
    expect(c.serviceContent.about.apiType).toBe('VirtualCenter');
    expect(c.serviceContent.rootFolder.type).toBe('Folder');
    expect(c.serviceContent.propertyCollector).toEqual({
      type: 'PropertyCollector',
      value: 'propertyCollector',
    });
    expect(c.roundTrips).toBe(2);
  });

  it('rejects the self-signed certificate without caPem', async () => {
    await expect(
      v.VsphereClient.connect({ url: sim.url, username: sim.username, password: sim.password }),
    ).rejects.toBeInstanceOf(v.VsphereTransportError);
  });

  it('InvalidLogin with a bad password', async () => {
    const err = await connect_bad();
    expect(err).toBeInstanceOf(v.VsphereFault);
    expect((err as v.VsphereFault).faultName).toBe('InvalidLogin');
  });
  const connect_bad = () =>
    v.VsphereClient.connect({
      url: sim.url,
      username: sim.username,
      password: 'wrong',
      caPem: sim.caPem,
    }).catch((e: unknown) => e);

  it('FindByInventoryPath: hit and miss', async () => {
    expect(await v.findByInventoryPath(c, SOURCE)).toMatchObject({ type: 'VirtualMachine' });
    expect(await v.findByInventoryPath(c, 'DC0/vm/no-such-vm')).toBeUndefined();
  });

  it('RetrievePropertiesEx over a ContainerView with a TraversalSpec, then Continue', async () => {
    const view = await v.createContainerView(c, c.serviceContent.rootFolder, ['VirtualMachine'], true);
    const spec = {
      propSet: [{ type: 'VirtualMachine', all: false, pathSet: ['name', 'runtime.powerState'] }],
      objectSet: [
        {
          obj: view,
          skip: true,
          selectSet: [{ name: 'traverseEntities', type: 'ContainerView', path: 'view', skip: false }],
        },
      ],
    };
    const first = await v.retrievePropertiesEx(c, [spec], { maxObjects: 1 });
    if (first?.token) {
      expect(first.objects).toHaveLength(1);
      const rest = await v.continueRetrievePropertiesEx(c, first.token);
      expect(rest.objects.length).toBeGreaterThan(0);
    } else {
      // vcsim 0.24 ignores maxObjects and has no ContinueRetrievePropertiesEx: all VMs at once.
      expect(first?.objects.length).toBeGreaterThanOrEqual(4);
      const err = await v.continueRetrievePropertiesEx(c, '1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(v.VsphereFault);
    }
    const all = await v.retrieveAll(c, [spec], { maxObjects: 2 });
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all[0]?.propSet.map((p) => p.name).sort()).toEqual(['name', 'runtime.powerState']);
    await v.destroyView(c, view);
  });

  it('CreateFilter / WaitForUpdatesEx / DestroyPropertyFilter (waitForProperty)', async () => {
    const vm = await v.findByInventoryPath(c, SOURCE);
    if (!vm) throw new Error('source VM missing');
    const name = await v.waitForProperty<string>(c, vm, 'name', (n) => n === 'DC0_H0_VM0', {
      timeoutMs: 10_000,
    });
    expect(name).toBe('DC0_H0_VM0');
    const set = await v.waitForUpdatesEx(c, undefined, { maxWaitSeconds: 0 });
    expect(set === undefined || set.filterSet.length === 0).toBe(true);
  });

  it('CloneVM_Task + waitForTask, ReconfigVM_Task (NIC + extraConfig), PowerOff, Destroy', async () => {
    const src = await v.findByInventoryPath(c, SOURCE);
    const folder = await v.findByInventoryPath(c, 'DC0/vm');
    if (!src || !folder) throw new Error('inventory missing');
    const info = await v.retrieveProperties(c, [src], ['resourcePool', 'datastore']);
    const pool = info.get(src.value)?.resourcePool as v.MoRef;
    const clone = (await v.waitForTask(
      c,
      await v.cloneVmTask(c, src, folder, 'vitest-clone', {
        location: { pool },
        template: false,
        powerOn: true,
      }),
      { timeoutMs: 30_000 },
    )) as v.MoRef;
    expect(clone.type).toBe('VirtualMachine');

    const devices = (await v.retrieveProperties(c, [clone], ['config.hardware.device'])).get(clone.value)?.[
      'config.hardware.device'
    ] as Record<string, unknown>[];
    const nic = devices.find((d) => typeof d.macAddress === 'string') as unknown as v.VirtualEthernetCard;
    expect(nic).toBeDefined();
    await v.waitForTask(
      c,
      await v.reconfigVmTask(c, clone, {
        deviceChange: [
          {
            operation: 'edit',
            device: {
              ...nic,
              connectable: { startConnected: true, allowGuestControl: true, connected: false },
            },
          },
        ],
        extraConfig: [{ key: 'guestinfo.ic.owner', value: 'vitest' }],
      }),
    );
    const after = (
      await v.retrieveProperties(c, [clone], ['config.hardware.device', 'config.extraConfig'])
    ).get(clone.value);
    const nicAfter = ((after?.['config.hardware.device'] ?? []) as v.VirtualEthernetCard[]).find(
      (d) => d.key === nic.key,
    );
    expect(nicAfter?.connectable?.connected).toBe(false);

    // Editing a device key the VM does not have: the task fails with InvalidDeviceSpec naming the index.
    const badKey = await v
      .waitForTask(
        c,
        await v.reconfigVmTask(c, clone, {
          deviceChange: [{ operation: 'edit', device: { ...nic, key: 4711 } }],
        }),
      )
      .catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(v.VsphereFault);
    expect((badKey as v.VsphereFault).faultName).toBe('InvalidDeviceSpec');
    expect((badKey as v.VsphereFault).detail.deviceIndex).toBe(0);
    expect(after?.['config.extraConfig']).toContainEqual(
      expect.objectContaining({ key: 'guestinfo.ic.owner', value: 'vitest' }),
    );

    // vcsim 0.24 ignores CloneSpec.powerOn: the clone stays off, so PowerOff is tried on a running VM.
    const running = await v.findByInventoryPath(c, 'DC0/vm/DC0_H0_VM1');
    if (!running) throw new Error('DC0_H0_VM1 missing');
    await v.waitForTask(c, await v.powerOffVmTask(c, running));
    const state = await v.retrieveProperties(c, [running, clone], ['runtime.powerState']);
    expect(state.get(running.value)?.['runtime.powerState']).toBe('poweredOff');
    expect(state.get(clone.value)?.['runtime.powerState']).toBe('poweredOff');
    const failed = await v.waitForTask(c, await v.powerOffVmTask(c, clone)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(v.VsphereFault);
    expect((failed as v.VsphereFault).faultName).toBe('InvalidPowerState');

    await v.waitForTask(c, await v.destroyTask(c, clone));
    const gone = await v.powerOffVmTask(c, clone).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(v.VsphereFault);
    expect((gone as v.VsphereFault).faultName).toBe('ManagedObjectNotFound');
  });

  it('re-logs in once after the session is invalidated (NotAuthenticated)', async () => {
    const c2 = await connect();
    await v.logout(c2); // the server drops the session; the client still holds the cookie
    const trips = c2.roundTrips;
    expect(await v.findByInventoryPath(c2, SOURCE)).toMatchObject({ type: 'VirtualMachine' });
    expect(c2.roundTrips - trips).toBe(3); // failed call, Login, retried call
    const again = await v
      .logout(c2)
      .then(() => v.logout(c2))
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(v.VsphereFault);
    expect((again as v.VsphereFault).faultName).toBe('NotAuthenticated');
  });

  it('a logged-out session reads properties as missingSet NotAuthenticated; the client logs in again', async () => {
    const c2 = await connect();
    const vm = await v.findByInventoryPath(c2, SOURCE);
    if (!vm) throw new Error('source VM missing');
    await v.logout(c2); // vcsim answers RetrievePropertiesEx without a session with HTTP 200 + missingSet
    const trips = c2.roundTrips;
    const props = await v.retrieveProperties(c2, [vm], ['name', 'runtime.powerState']);
    expect(props.get(vm.value)).toMatchObject({ name: 'DC0_H0_VM0' });
    expect(c2.roundTrips - trips).toBe(3); // missingSet answer, Login, retried call
    await c2.close();
  });

  it('reads a source’s host and its memory as VerifySourceFrozen does, and places a fleet by it', async () => {
    const vm = await v.findByInventoryPath(c, SOURCE);
    if (!vm) throw new Error('source VM missing');
    const trips = c.roundTrips;
    const vms = await v.retrieveProperties(c, [vm], ['runtime.host', 'config.hardware.memoryMB']);
    const hostRef = vms.get(vm.value)?.['runtime.host'] as v.MoRef;
    const hosts = await v.retrieveProperties(c, [hostRef], HOST_PATHS);
    expect(c.roundTrips - trips).toBe(2);
    const props = hosts.get(hostRef.value) ?? {};
    // vcsim's esx.HostSystem: a 4 GB host (4294430720 bytes) with 1404 MB in use, in both places vim25 has them.
    expect(props['summary.hardware.memorySize']).toBe(4294430720);
    expect(hostMemoryOf(props)).toEqual({ memoryMB: 4095, usedMB: 1404 });
    const memoryMB = vms.get(vm.value)?.['config.hardware.memoryMB'] as number;
    expect(memoryMB).toBe(32);
    const policy = { cloneMemoryFraction: 0.5, hostMemoryHeadroomPercent: 10 };
    const members = new Map([
      ['vcsim', [{ path: SOURCE, host: hostRef.value, memoryMB, chargeMB: cloneChargeMB(memoryMB, 0.5) }]],
    ]);
    const room = new Map([[hostRef.value, { name: String(props.name), ...hostMemoryOf(props) }]]);
    // 4095 − 1404 − 409.5 = 2281.5 MB free: 142 clones of 16 MB
    const fleet = (n: number) => Array.from({ length: n }, () => ({ source: 'vcsim' }));
    expect(placeFleet(fleet(142), members, room, policy)).toHaveLength(142);
    expect(() => placeFleet(fleet(143), members, room, policy)).toThrow(/1 of 143 clones do not fit/);
  });

  it("the teardown's reads: a VM's recent tasks by traversal, with the clone's marker and power state in one call", async () => {
    const vm = await v.findByInventoryPath(c, SOURCE);
    if (!vm) throw new Error('inventory missing');
    const before = c.roundTrips;
    // vcsim 0.24 keeps recent tasks on the TaskManager only (VM.recentTask stays empty): nothing to let end.
    await expect(settleInstantCloneTasks(c, vm, 5_000)).resolves.toBe(true);
    expect(c.roundTrips - before).toBe(1);
    // A VM found by the clone's name without this run's marker is refused; the combined read is one call.
    const [dc, folder, name] = SOURCE.split('/') as [string, string, string];
    const where = { folder: `${dc}/${folder}`, name, runId: 'not-this-vm', source: vm };
    const refused = await findRunCloneSettled(c, where, ['runtime.powerState'], 5_000).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).name).toBe('CloneFailed');
    expect(String((refused as Error).message)).toContain('does not carry run marker not-this-vm');
    expect(c.roundTrips - before).toBe(3);
  });

  it('never logs the password or the session cookie', () => {
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.join('\n');
    expect(text).not.toContain(sim.password);
    expect(text).not.toMatch(/vmware_soap_session/);
  });
});
