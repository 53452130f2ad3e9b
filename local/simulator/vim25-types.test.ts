// Every reply type of the simulator against pyVmomi's vim25 type information: required properties present,
// no property a type does not have. The fixture itself is checked against the installed pyVmomi.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './index.js';
import { RawSoap, sleep } from './test-helpers.js';
import type { RunningSimulator } from './types.js';
import { vim25Problems } from './vim25-conformance.js';

const PYTHON = '/usr/bin/python3';
const GENERATOR = new URL('./fixtures/generate-vim25-types.py', import.meta.url);
const FIXTURE = new URL('./fixtures/vim25-types.json', import.meta.url);

function pyvmomiMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  try {
    execFileSync(PYTHON, ['-c', 'import pyVmomi'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'pyVmomi is not installed (apt-get install python3-pyvmomi)';
  }
}
const missing = pyvmomiMissing();
const CI = process.env.CI === 'true';
if (missing && !CI) console.warn(`skipping the pyVmomi fixture check: ${missing}`);

describe.skipIf(Boolean(missing) && !CI)('vim25 type fixture', () => {
  it('is what the installed pyVmomi says (regenerate with fixtures/generate-vim25-types.py)', () => {
    if (missing) throw new Error(`pyVmomi is required in CI: ${missing}`);
    const fresh = execFileSync(PYTHON, [GENERATOR.pathname], { encoding: 'utf8', maxBuffer: 16 << 20 });
    expect(fresh === readFileSync(FIXTURE, 'utf8')).toBe(true);
  });
});

describe('the conformance check itself', () => {
  const taskInfo = (reason: string) =>
    `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval xsi:type="RetrieveResult"><objects xsi:type="ObjectContent"><obj type="Task">task-1</obj><propSet xsi:type="DynamicProperty"><name>info</name><val xsi:type="TaskInfo"><key>task-1</key><task type="Task">task-1</task><descriptionId>VirtualMachine.powerOff</descriptionId><state>success</state><cancelled>false</cancelled><cancelable>false</cancelable>${reason}<queueTime>2026-01-01T00:00:00Z</queueTime><eventChainId>1</eventChainId></val></propSet></objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>`;

  it('passes a complete TaskInfo, fails one without the required reason or with an unknown property', () => {
    const reason = '<reason xsi:type="TaskReasonUser"><userName>u</userName></reason>';
    expect(vim25Problems(taskInfo(reason))).toEqual([]);
    expect(vim25Problems(taskInfo(''))).toEqual([
      "RetrievePropertiesExResponse.returnval.objects.propSet.val: TaskInfo lacks required 'reason'",
    ]);
    expect(vim25Problems(taskInfo(`${reason}<flavour>x</flavour>`))).toEqual([
      "RetrievePropertiesExResponse.returnval.objects.propSet.val: TaskInfo has no property 'flavour'",
    ]);
    expect(vim25Problems(taskInfo('<reason xsi:type="TaskReasonUser"></reason>'))).toEqual([
      "RetrievePropertiesExResponse.returnval.objects.propSet.val.reason: TaskReasonUser lacks required 'userName'",
    ]);
  });
});

describe('every simulator reply conforms to vim25', () => {
  let sim: RunningSimulator;
  let c: RawSoap;
  const replies: { what: string; xml: string }[] = [];
  const keep = (what: string, xml: string) => {
    replies.push({ what, xml });
    return xml;
  };
  const PC = '<_this type="PropertyCollector">propertyCollector</_this>';
  const all = (type: string, id: string) =>
    `${PC}<specSet><propSet><type>${type}</type><all>true</all></propSet><objectSet><obj type="${type}">${id}</obj></objectSet></specSet><options></options>`;

  beforeAll(async () => {
    sim = await startSimulator({ https: false, timeScale: 0.01 });
    c = new RawSoap(sim);
  });
  afterAll(async () => {
    expect(sim.clones()).toEqual([]);
    await sim.stop();
  });

  it('over a whole clone lifecycle, sessions, faults and guest operations', async () => {
    keep(
      'RetrieveServiceContent',
      (await c.call('RetrieveServiceContent', '<_this type="ServiceInstance">ServiceInstance</_this>')).xml,
    );
    keep('InvalidLogin', (await c.login('wrong')).xml);
    keep('NotAuthenticated', (await c.call('WaitForUpdatesEx', `${PC}<version></version>`)).xml);
    keep('dead-session retrieve', (await c.call('RetrievePropertiesEx', all('VirtualMachine', 'vm-1'))).xml);
    keep('Login', (await c.login()).xml);
    const src = await c.find(sim.sources.linux);
    const win = await c.find(sim.sources.windows);
    for (const [type, id] of [
      ['ServiceInstance', 'ServiceInstance'],
      ['SessionManager', 'SessionManager'],
      ['Folder', 'group-d1'],
      ['Datacenter', 'datacenter-2'],
      ['ClusterComputeResource', 'domain-c7'],
      ['ResourcePool', 'resgroup-8'],
      ['HostSystem', 'host-21'],
      ['Network', 'network-12'],
      ['Datastore', 'datastore-11'],
      ['VirtualMachine', src],
      ['VirtualMachine', win],
      ['GuestOperationsManager', 'guestOperationsManager'],
    ])
      keep(`${type} all`, (await c.call('RetrievePropertiesEx', all(type as string, id as string))).xml);
    keep(
      'InvalidProperty',
      (
        await c.call(
          'RetrievePropertiesEx',
          `${PC}<specSet><propSet><type>VirtualMachine</type><pathSet>nope</pathSet></propSet><objectSet><obj type="VirtualMachine">${src}</obj></objectSet></specSet><options></options>`,
        )
      ).xml,
    );
    keep(
      'ManagedObjectNotFound',
      (await c.call('RetrievePropertiesEx', all('VirtualMachine', 'vm-404'))).xml,
    );

    const filter = keep(
      'CreateFilter',
      (
        await c.call(
          'CreateFilter',
          `${PC}<spec><propSet><type>VirtualMachine</type><pathSet>runtime.powerState</pathSet><pathSet>guest.net</pathSet></propSet><objectSet><obj type="VirtualMachine">${src}</obj></objectSet></spec><partialUpdates>false</partialUpdates>`,
        )
      ).xml,
    );
    keep(
      'WaitForUpdatesEx',
      (
        await c.call(
          'WaitForUpdatesEx',
          `${PC}<version></version><options><maxWaitSeconds>1</maxWaitSeconds></options>`,
        )
      ).xml,
    );
    const filterId = /<returnval type="PropertyFilter">([^<]+)</.exec(filter)?.[1] as string;
    keep(
      'DestroyPropertyFilter',
      (await c.call('DestroyPropertyFilter', `<_this type="PropertyFilter">${filterId}</_this>`)).xml,
    );

    const cloned = keep(
      'InstantClone_Task',
      await c.task('InstantClone_Task', src, '<spec><name>conformance-1</name><location></location></spec>'),
    );
    const clone = /<result xsi:type="ManagedObjectReference" type="VirtualMachine">([^<]+)</.exec(
      cloned,
    )?.[1] as string;
    keep('guest not ready', (await c.startProgram(clone, 'linux', '/bin/true', '')).xml);
    await sleep(100);
    keep('InvalidGuestLogin', (await c.startProgram(clone, 'linux', '/bin/true', '', 'wrong')).xml);
    const started = keep(
      'StartProgramInGuest',
      (await c.startProgram(clone, 'linux', '/bin/sh', "-c 'echo hi > /tmp/out'")).xml,
    );
    const pid = /<returnval>(\d+)</.exec(started)?.[1];
    await sleep(50);
    keep(
      'ListProcessesInGuest',
      (
        await c.call(
          'ListProcessesInGuest',
          `<_this type="GuestProcessManager">guestOperationsProcessManager</_this><vm type="VirtualMachine">${clone}</vm>${c.auth('linux')}<pids>${pid}</pids>`,
        )
      ).xml,
    );
    keep(
      'InitiateFileTransferFromGuest',
      (
        await c.call(
          'InitiateFileTransferFromGuest',
          `<_this type="GuestFileManager">guestOperationsFileManager</_this><vm type="VirtualMachine">${clone}</vm>${c.auth('linux')}<guestFilePath>/tmp/out</guestFilePath>`,
        )
      ).xml,
    );
    keep(
      'ReconfigVM_Task bad key',
      await c.task(
        'ReconfigVM_Task',
        clone,
        '<spec><deviceChange><operation>edit</operation><device xsi:type="VirtualVmxnet3"><key>1</key></device></deviceChange></spec>',
      ),
    );
    keep('PowerOffVM_Task', await c.task('PowerOffVM_Task', clone));
    keep('PowerOffVM_Task off', await c.task('PowerOffVM_Task', clone));
    keep('Destroy_Task', await c.task('Destroy_Task', clone));
    keep(
      'InstantClone_Task error',
      await c.task(
        'InstantClone_Task',
        await c.find(sim.sources.poweredOff),
        '<spec><name>x</name><location></location></spec>',
      ),
    );

    const problems = replies.flatMap(({ what, xml }) => vim25Problems(xml).map((p) => `${what}: ${p}`));
    expect(problems).toEqual([]);
    // The check saw what it is meant to: data objects of each kind, faults included.
    const seen = replies.map((r) => r.xml).join('');
    for (const type of [
      'UserSession',
      'TaskInfo',
      'TaskReasonUser',
      'InvalidPowerState',
      'InvalidDeviceSpec',
      'InvalidProperty',
      'NotAuthenticated',
      'MissingProperty',
      'UpdateSet',
      'GuestProcessInfo',
      'FileTransferInformation',
      'VirtualMachineConfigInfo',
      'HostListSummary',
    ])
      expect(seen, type).toContain(`xsi:type="${type}"`);
  });
});
