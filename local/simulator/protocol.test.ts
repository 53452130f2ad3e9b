import { spawn } from 'node:child_process';
import { get } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './index.js';
import { RawSoap } from './test-helpers.js';
import type { RunningSimulator } from './types.js';

describe('vim25 protocol behaviour', () => {
  let sim: RunningSimulator;
  let c: RawSoap;
  beforeAll(async () => {
    sim = await startSimulator({
      https: false,
      timeScale: 0.01,
      faults: [{ method: 'FindByInventoryPath', fault: 'SystemError', count: 0 }],
    });
    c = new RawSoap(sim);
  });
  afterAll(() => sim.stop());

  it('rejects a bad password and calls without a session; expires sessions on demand', async () => {
    expect((await c.login('wrong')).fault).toBe('InvalidLogin');
    const anon = await c.call(
      'FindByInventoryPath',
      '<_this type="SearchIndex">SearchIndex</_this><inventoryPath>DC0</inventoryPath>',
    );
    expect([anon.status, anon.fault]).toEqual([500, 'NotAuthenticated']);
    const ok = await c.login();
    expect(ok.cookie).toMatch(/^vmware_soap_session="[^"]+"; Path=\//);
    expect(await c.find(sim.sources.windows)).toMatch(/^vm-/);
    sim.expireSessions();
    expect(
      (
        await c.call(
          'FindByInventoryPath',
          '<_this type="SearchIndex">SearchIndex</_this><inventoryPath>DC0</inventoryPath>',
        )
      ).fault,
    ).toBe('NotAuthenticated');
    await c.login();
  });

  it('refuses a fault name that is not a type name (it is written into an xsi:type)', () => {
    expect(() => sim.injectFault({ method: 'Login', fault: 'X" onerror="y' })).toThrow(
      /not a vim25 type name/,
    );
  });

  it('injects faults by count and by probability', async () => {
    sim.injectFault({ method: 'FindByInventoryPath', fault: 'RequestCanceled', count: 2 });
    const path = `<_this type="SearchIndex">SearchIndex</_this><inventoryPath>${sim.sources.linux}</inventoryPath>`;
    const faults = [];
    for (let i = 0; i < 3; i++) faults.push((await c.call('FindByInventoryPath', path)).fault);
    expect(faults).toEqual(['RequestCanceled', 'RequestCanceled', undefined]);
    sim.injectFault({ method: 'FindByInventoryPath', fault: 'HostCommunication', probability: 1 });
    expect((await c.call('FindByInventoryPath', path)).fault).toBe('HostCommunication');
    sim.clearFaults();
    sim.injectFault({ method: 'FindByInventoryPath', fault: 'HostCommunication', probability: 0 });
    expect((await c.call('FindByInventoryPath', path)).fault).toBeUndefined();
    sim.clearFaults();
    const src = await c.find(sim.sources.linux);
    sim.injectFault({ method: 'InstantClone_Task', fault: 'InsufficientResourcesFault', count: 1 });
    const task = await c.task(
      'InstantClone_Task',
      src,
      '<spec><name>inj-1</name><location></location></spec>',
    );
    expect(task).toMatch(
      /<state>error<\/state><cancelled>false<\/cancelled><cancelable>false<\/cancelable><error xsi:type="LocalizedMethodFault"><fault xsi:type="InsufficientResourcesFault">/,
    );
  });

  it('pages RetrievePropertiesEx over a ContainerView with ContinueRetrievePropertiesEx', async () => {
    const v = await c.call(
      'CreateContainerView',
      '<_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>VirtualMachine</type><recursive>true</recursive>',
    );
    const view = /<returnval type="ContainerView">([^<]+)</.exec(v.xml)?.[1] as string;
    const spec = `<specSet><propSet><type>VirtualMachine</type><all>false</all><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="ContainerView">${view}</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>traverseEntities</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>`;
    const names: string[] = [];
    let r = await c.call(
      'RetrievePropertiesEx',
      `<_this type="PropertyCollector">propertyCollector</_this>${spec}<options><maxObjects>2</maxObjects></options>`,
    );
    for (;;) {
      names.push(
        ...[...r.xml.matchAll(/<name>name<\/name><val xsi:type="xsd:string">([^<]+)</g)].map(
          (m) => m[1] as string,
        ),
      );
      const token = /<token>([^<]+)</.exec(r.xml)?.[1];
      if (!token) break;
      r = await c.call(
        'ContinueRetrievePropertiesEx',
        `<_this type="PropertyCollector">propertyCollector</_this><token>${token}</token>`,
      );
    }
    expect(names).toEqual(
      expect.arrayContaining(['ic-src-linux', 'ic-src-linux2', 'ic-src-windows', 'app-running', 'app-off']),
    );
    expect(r.xml).toContain('<val xsi:type="VirtualMachinePowerState">');
    expect((await c.call('DestroyView', `<_this type="ContainerView">${view}</_this>`)).status).toBe(200);
  });

  it('FindChild finds a child entity by name, and nothing for an unknown name', async () => {
    await c.login();
    const findChild = (name: string) =>
      c.call(
        'FindChild',
        `<_this type="SearchIndex">SearchIndex</_this><entity type="Folder">group-v3</entity><name>${name}</name>`,
      );
    expect((await findChild('templates')).xml).toMatch(/<returnval type="Folder">group-v\d+<\/returnval>/);
    expect((await findChild('nope')).xml).toContain(
      '<FindChildResponse xmlns="urn:vim25"></FindChildResponse>',
    );
  });

  it('long-polls WaitForUpdatesEx: empty on timeout, pushes power state changes', async () => {
    const vm = await c.find(sim.sources.notFrozen);
    await c.call(
      'CreateFilter',
      `<_this type="PropertyCollector">propertyCollector</_this><spec><propSet><type>VirtualMachine</type><all>false</all><pathSet>runtime.powerState</pathSet></propSet><objectSet><obj type="VirtualMachine">${vm}</obj><skip>false</skip></objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    const wait = (version: string, secs: number) =>
      c.call(
        'WaitForUpdatesEx',
        `<_this type="PropertyCollector">propertyCollector</_this><version>${version}</version><options><maxWaitSeconds>${secs}</maxWaitSeconds></options>`,
      );
    const first = await wait('', 1);
    const version = /<version>([^<]+)</.exec(first.xml)?.[1] as string;
    expect(first.xml).toContain('<kind>enter</kind>');
    const t0 = Date.now();
    const idle = await wait(version, 0.3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(idle.xml).toMatch(/<WaitForUpdatesExResponse xmlns="urn:vim25"><\/WaitForUpdatesExResponse>/);
    const pending = wait(version, 10);
    await c.task('PowerOffVM_Task', vm);
    const pushed = await pending;
    expect(pushed.xml).toContain('<kind>modify</kind>');
    expect(pushed.xml).toContain('<val xsi:type="VirtualMachinePowerState">poweredOff</val>');
    expect(await c.task('PowerOffVM_Task', vm)).toContain('<fault xsi:type="InvalidPowerState">');
    await c.task('Destroy_Task', vm);
    expect((await c.props('VirtualMachine', vm, ['name'])).includes('ManagedObjectNotFound')).toBe(true);
  });
});

describe('standalone `npm run sim`', () => {
  it('prints the contract JSON first and exits 0 on SIGTERM', async () => {
    const p = spawn(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'local/simulator/main.ts', '--port', '0', '--time-scale', '0.01'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const line = await new Promise<string>((resolve) => {
      let buf = '';
      p.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(buf.split('\n')[0] as string);
      });
    });
    const contract = JSON.parse(line);
    expect(contract.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/sdk$/);
    expect(Object.keys(contract.sources)).toEqual(expect.arrayContaining(['linux', 'windows', 'notFrozen']));
    const body = await new Promise<string>((resolve, reject) =>
      get(`${contract.url}/vimServiceVersions.xml`, { rejectUnauthorized: false }, (res) => {
        let b = '';
        res.on('data', (d) => {
          b += d;
        });
        res.on('end', () => resolve(b));
      }).on('error', reject),
    );
    expect(body).toContain('<version>7.0.3.0</version>');
    const code = await new Promise<number | null>((resolve) => {
      p.on('exit', resolve);
      p.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});

describe('guest operations readiness', () => {
  let sim: RunningSimulator;
  afterAll(() => sim.stop());

  it('pushes guest.guestOperationsReady as soon as tools start in a powered-on CloneVM_Task clone', async () => {
    sim = await startSimulator({ https: false, timeScale: 0.01, guestOpsUnavailableMs: 20000 });
    const c = new RawSoap(sim);
    await c.login();
    const src = await c.find(sim.sources.notFrozen);
    const found = await c.call(
      'FindByInventoryPath',
      '<_this type="SearchIndex">SearchIndex</_this><inventoryPath>DC0/vm/workloads</inventoryPath>',
    );
    const folder = /<returnval type="Folder">([^<]+)</.exec(found.xml)?.[1];
    const done = await c.task(
      'CloneVM_Task',
      src,
      `<folder type="Folder">${folder}</folder><name>full-clone</name><spec><location></location><template>false</template><powerOn>true</powerOn></spec>`,
    );
    const clone = /<result xsi:type="ManagedObjectReference" type="VirtualMachine">([^<]+)</.exec(done)?.[1];
    const clonedAt = Date.now();
    await c.call(
      'CreateFilter',
      `<_this type="PropertyCollector">propertyCollector</_this><spec><propSet><type>VirtualMachine</type><all>false</all><pathSet>guest.guestOperationsReady</pathSet></propSet><objectSet><obj type="VirtualMachine">${clone}</obj><skip>false</skip></objectSet></spec><partialUpdates>false</partialUpdates>`,
    );
    const wait = (version: string) =>
      c.call(
        'WaitForUpdatesEx',
        `<_this type="PropertyCollector">propertyCollector</_this><version>${version}</version><options><maxWaitSeconds>5</maxWaitSeconds></options>`,
      );
    const first = await wait('');
    expect(first.xml).toContain('<val xsi:type="xsd:boolean">false</val>');
    const ready = await wait(/<version>([^<]+)</.exec(first.xml)?.[1] as string);
    expect(ready.xml).toContain('<val xsi:type="xsd:boolean">true</val>');
    // guestOpsUnavailableMs × timeScale = 200 ms; a missed push would only show at the 1 s re-poll.
    expect(Date.now() - clonedAt).toBeLessThan(700);
  });
});
