// Sessions and faults as vCenter raises them (issue 7, sections 1 and 2), over raw SOAP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './index.js';
import { RawSoap, sleep } from './test-helpers.js';
import type { RunningSimulator } from './types.js';

const PC = '<_this type="PropertyCollector">propertyCollector</_this>';
const retrieve = (type: string, id: string, paths: string[]) =>
  `${PC}<specSet><propSet><type>${type}</type><all>false</all>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet><objectSet><obj type="${type}">${id}</obj><skip>false</skip></objectSet></specSet><options></options>`;

describe('idle sessions', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    // 30 simulated minutes at 1/10000 = 180 ms: the default idle timeout, on the simulated clock.
    sim = await startSimulator({ https: false, timeScale: 0.0001 });
  });
  afterAll(() => sim.stop());

  it('a session idle longer than 30 simulated minutes is gone', async () => {
    const c = new RawSoap(sim);
    expect((await c.login()).cookie).toBeTruthy();
    await sleep(400);
    const r = await c.call(
      'FindByInventoryPath',
      `<_this type="SearchIndex">SearchIndex</_this><inventoryPath>${sim.sources.linux}</inventoryPath>`,
    );
    expect([r.status, r.fault]).toEqual([500, 'NotAuthenticated']);
    expect(r.xml).toContain(
      '<object type="SearchIndex">SearchIndex</object><privilegeId>System.View</privilegeId>',
    );
  });
});

describe('sessions as vCenter keeps them', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ https: false, timeScale: 0.01 });
  });
  afterAll(() => sim.stop());

  it('a dead session reads every requested property as missingSet NotAuthenticated (HTTP 200)', async () => {
    const c = new RawSoap(sim);
    await c.login();
    const vm = await c.find(sim.sources.linux);
    await c.call('Logout', '<_this type="SessionManager">SessionManager</_this>');
    const r = await c.call(
      'RetrievePropertiesEx',
      retrieve('VirtualMachine', vm, ['name', 'runtime.powerState']),
    );
    expect(r.status).toBe(200);
    expect(r.xml).not.toContain('<propSet');
    const missing = [
      ...r.xml.matchAll(
        /<missingSet xsi:type="MissingProperty"><path>([^<]+)<\/path><fault xsi:type="LocalizedMethodFault"><fault xsi:type="NotAuthenticated"><object type="VirtualMachine">([^<]+)<\/object>/g,
      ),
    ];
    expect(missing.map((m) => [m[1], m[2]])).toEqual([
      ['name', vm],
      ['runtime.powerState', vm],
    ]);
    // A VM that does not exist reads the same: a dead session never learns that an object is gone.
    const ghost = await c.call('RetrievePropertiesEx', retrieve('VirtualMachine', 'vm-404', ['name']));
    expect(ghost.status).toBe(200);
    expect(ghost.xml).toContain('<fault xsi:type="NotAuthenticated">');
    // Other methods keep answering with a SOAP fault.
    for (const [method, body] of [
      [
        'CreateFilter',
        `${PC}<spec><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm}</obj></objectSet></spec><partialUpdates>false</partialUpdates>`,
      ],
      ['WaitForUpdatesEx', `${PC}<version></version>`],
      ['ContinueRetrievePropertiesEx', `${PC}<token>1</token>`],
    ] as const) {
      const f = await c.call(method, body);
      expect([method, f.status, f.fault]).toEqual([method, 500, 'NotAuthenticated']);
    }
  });

  it('UserSession carries what vim25 requires (extensionSession, ipAddress, userAgent, callCount)', async () => {
    const c = new RawSoap(sim);
    const r = await c.login();
    expect(r.xml).toMatch(
      /<extensionSession>false<\/extensionSession><ipAddress>[^<]+<\/ipAddress><userAgent>[^<]*<\/userAgent><callCount>0<\/callCount>/,
    );
    await c.find(sim.sources.linux);
    const current = await c.call(
      'RetrievePropertiesEx',
      retrieve('SessionManager', 'SessionManager', ['currentSession']),
    );
    expect(current.xml).toMatch(/<callCount>2<\/callCount>/);
  });
});

describe('faults as vCenter raises them', () => {
  let sim: RunningSimulator;
  let c: RawSoap;
  beforeAll(async () => {
    sim = await startSimulator({ https: false, timeScale: 0.01 });
    c = new RawSoap(sim);
    await c.login();
  });
  afterAll(async () => {
    expect(sim.clones()).toEqual([]);
    await sim.stop();
  });

  it('PowerOffVM_Task on a powered-off VM: task error InvalidPowerState with both states', async () => {
    const vm = await c.find(sim.sources.poweredOff);
    const xml = await c.task('PowerOffVM_Task', vm);
    expect(xml).toContain(
      '<fault xsi:type="InvalidPowerState"><requestedState>poweredOff</requestedState><existingState>poweredOff</existingState></fault>',
    );
    expect(xml).toContain('<descriptionId>VirtualMachine.powerOff</descriptionId>');
    expect(xml).toContain(
      '<reason xsi:type="TaskReasonUser"><userName>administrator@vsphere.local</userName></reason>',
    );
  });

  it('ReconfigVM_Task editing a device key the VM lacks: InvalidDeviceSpec (deviceIndex), nothing changed', async () => {
    const vm = await c.find(sim.sources.notFrozen);
    const spec = (key: number, connected: boolean) =>
      `<operation>edit</operation><device xsi:type="VirtualVmxnet3"><key>${key}</key><connectable><startConnected>true</startConnected><allowGuestControl>true</allowGuestControl><connected>${connected}</connected></connectable></device>`;
    const xml = await c.task(
      'ReconfigVM_Task',
      vm,
      `<spec><deviceChange>${spec(4000, false)}</deviceChange><deviceChange>${spec(4711, false)}</deviceChange></spec>`,
    );
    expect(xml).toContain('<fault xsi:type="InvalidDeviceSpec"><deviceIndex>1</deviceIndex></fault>');
    expect(xml).toContain('<descriptionId>VirtualMachine.reconfigure</descriptionId>');
    const after = await c.props('VirtualMachine', vm, ['config.hardware.device']);
    expect(after).toMatch(/<key>4000<\/key>.*<connected>true<\/connected>/s);
  });

  it('RetrievePropertiesEx naming a property the type lacks: the whole call fails with InvalidProperty', async () => {
    const vm = await c.find(sim.sources.linux);
    const r = await c.call(
      'RetrievePropertiesEx',
      retrieve('VirtualMachine', vm, ['name', 'runtime.noSuchThing']),
    );
    expect([r.status, r.fault]).toEqual([500, 'InvalidProperty']);
    expect(r.xml).toContain('<name>runtime.noSuchThing</name>');
    const through = await c.call(
      'RetrievePropertiesEx',
      retrieve('VirtualMachine', vm, ['config.hardware.device.key']),
    );
    expect(through.fault).toBe('InvalidProperty');
    // Valid paths whose value is unset are simply absent, not an error.
    const unset = await c.call('RetrievePropertiesEx', retrieve('VirtualMachine', vm, ['name', 'snapshot']));
    expect([unset.status, unset.fault]).toEqual([200, undefined]);
  });

  it('a fault injected into WaitForUpdatesEx fails the wait while the task goes on; recentTask shows it', async () => {
    const src = await c.find(sim.sources.linux);
    sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'SystemError', count: 1 });
    const started = await c.call(
      'InstantClone_Task',
      `<_this type="VirtualMachine">${src}</_this><spec><name>outlives-wait</name><location></location></spec>`,
    );
    const task = /<returnval type="Task">([^<]+)</.exec(started.xml)?.[1] as string;
    await c.call(
      'CreateFilter',
      `${PC}<spec><propSet><type>Task</type><pathSet>info.state</pathSet></propSet><objectSet><obj type="Task">${task}</obj></objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    expect((await c.call('WaitForUpdatesEx', `${PC}<version></version>`)).fault).toBe('SystemError');
    const recent = await c.props('VirtualMachine', src, ['recentTask']);
    expect(recent).toContain(`<ManagedObjectReference type="Task">${task}</ManagedObjectReference>`);
    const done = await c.waitTask(task);
    expect(done).toContain('<state>success</state>');
    expect(done).toContain('<descriptionId>VirtualMachine.instantClone</descriptionId>');
    const clone = /<result xsi:type="ManagedObjectReference" type="VirtualMachine">([^<]+)</.exec(
      done,
    )?.[1] as string;
    await c.task('PowerOffVM_Task', clone);
    await c.task('Destroy_Task', clone);
  });
});
