import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as v from '../lambdas/vsphere/index.js';
import { bodyElement, diffXml } from './golden-xml.compare.js';
import { FakeVim } from './golden-xml.server.js';

// Each case calls the client against a recording loopback server and compares the captured
// request with what pyVmomi 6.7.1 serializes for the same arguments (test/fixtures/soap/pyvmomi).
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/soap/pyvmomi/${name}.xml`, import.meta.url), 'utf8');

const VM = { type: 'VirtualMachine', value: 'vm-124' };
const VIEW = {
  type: 'ContainerView',
  value: 'session[52b1c7d0-5b0e-6c0f-ee5e-9d3a6e1f2a10]52d2b8e6-6d1e-4e8a-1f64-0c1c7e36f9a2',
};
const ROOT_AUTH = { username: 'root', password: '***' };
const VMXNET3_BASE = {
  _type: 'VirtualVmxnet3' as const,
  key: 4000,
  deviceInfo: { label: 'Network adapter 1', summary: 'VM Network' },
  controllerKey: 100,
  unitNumber: 7,
  addressType: 'assigned',
  macAddress: '00:50:56:aa:bb:cc',
  wakeOnLanEnabled: true,
};
const STD_BACKING = {
  _type: 'VirtualEthernetCardNetworkBackingInfo' as const,
  deviceName: 'VM Network',
  network: { type: 'Network', value: 'network-12' },
};
const connectable = (migrateConnect: 'connect' | 'disconnect', connected: boolean) => ({
  migrateConnect,
  startConnected: true,
  allowGuestControl: true,
  connected,
  status: 'ok',
});

type Case = [fixture: string, method: string, run: (c: v.VsphereClient) => Promise<unknown>];

const cases: Case[] = [
  ['Login', 'Login', (c) => v.login(c, 'administrator@vsphere.local', '***', 'en')],
  ['FindByInventoryPath', 'FindByInventoryPath', (c) => v.findByInventoryPath(c, 'DC0/vm/DC0_H0_VM0')],
  [
    'CreateContainerView',
    'CreateContainerView',
    (c) => v.createContainerView(c, { type: 'Folder', value: 'group-d1' }, ['VirtualMachine'], true),
  ],
  ['DestroyView', 'DestroyView', (c) => v.destroyView(c, VIEW)],
  [
    'RetrievePropertiesEx.container-view',
    'RetrievePropertiesEx',
    (c) =>
      v.retrievePropertiesEx(
        c,
        [
          {
            propSet: [
              {
                type: 'VirtualMachine',
                all: false,
                pathSet: [
                  'name',
                  'runtime.powerState',
                  'runtime.instantCloneFrozen',
                  'config.hardware.device',
                  'guest.net',
                ],
              },
            ],
            objectSet: [
              {
                obj: VIEW,
                skip: true,
                selectSet: [{ name: 'traverseEntities', type: 'ContainerView', path: 'view', skip: false }],
              },
            ],
          },
        ],
        { maxObjects: 500 },
      ),
  ],
  [
    'ContinueRetrievePropertiesEx',
    'ContinueRetrievePropertiesEx',
    (c) => v.continueRetrievePropertiesEx(c, '1'),
  ],
  [
    'RetrievePropertiesEx.objects',
    'RetrievePropertiesEx',
    (c) =>
      v.retrieveProperties(
        c,
        [VM, { type: 'VirtualMachine', value: 'vm-125' }],
        ['name', 'runtime.powerState'],
      ),
  ],
  [
    'CreateFilter.task',
    'CreateFilter',
    (c) =>
      v.createFilter(c, {
        propSet: [{ type: 'Task', all: false, pathSet: ['info.state', 'info.result', 'info.error'] }],
        objectSet: [{ obj: { type: 'Task', value: 'task-122' }, skip: false }],
      }),
  ],
  ['WaitForUpdatesEx.first', 'WaitForUpdatesEx', (c) => v.waitForUpdatesEx(c, '', { maxWaitSeconds: 20 })],
  [
    'WaitForUpdatesEx.follow-up',
    'WaitForUpdatesEx',
    (c) => v.waitForUpdatesEx(c, '1', { maxWaitSeconds: 0, maxObjectUpdates: 100 }),
  ],
  ['WaitForUpdatesEx.no-args', 'WaitForUpdatesEx', (c) => v.waitForUpdatesEx(c)],
  [
    'DestroyPropertyFilter',
    'DestroyPropertyFilter',
    (c) =>
      v.destroyPropertyFilter(c, {
        type: 'PropertyFilter',
        value: 'session[52b1c7d0-5b0e-6c0f-ee5e-9d3a6e1f2a10]52a4f5b0-3c9e-2d11-8b7a-a1b2c3d4e5f6',
      }),
  ],
  [
    'InstantClone_Task',
    'InstantClone_Task',
    (c) =>
      v.instantCloneTask(
        c,
        { type: 'VirtualMachine', value: 'vm-57' },
        {
          name: 'ic-clone-1',
          location: {
            folder: { type: 'Folder', value: 'group-v3' },
            datastore: { type: 'Datastore', value: 'datastore-11' },
            pool: { type: 'ResourcePool', value: 'resgroup-8' },
            host: { type: 'HostSystem', value: 'host-21' },
            deviceChange: [
              {
                operation: 'edit',
                device: {
                  ...VMXNET3_BASE,
                  backing: STD_BACKING,
                  connectable: connectable('disconnect', false),
                },
              },
            ],
          },
          config: [
            { key: 'guestinfo.ic.owner', value: 'ts-client' },
            { key: 'guestinfo.ic.name', value: 'ic-clone-1' },
          ],
          biosUuid: '4223a1b2-c3d4-e5f6-0718-293a4b5c6d7e',
        },
      ),
  ],
  [
    'ReconfigVM_Task.std-backing',
    'ReconfigVM_Task',
    (c) =>
      v.reconfigVmTask(c, VM, {
        deviceChange: [
          {
            operation: 'edit',
            device: { ...VMXNET3_BASE, backing: STD_BACKING, connectable: connectable('connect', true) },
          },
        ],
      }),
  ],
  [
    'ReconfigVM_Task.dvport-extraconfig',
    'ReconfigVM_Task',
    (c) =>
      v.reconfigVmTask(c, VM, {
        deviceChange: [
          {
            operation: 'edit',
            device: {
              // keys deliberately out of order: the client must still write WSDL order
              connectable: connectable('disconnect', false),
              ...VMXNET3_BASE,
              backing: {
                _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo',
                port: {
                  portgroupKey: 'dvportgroup-13',
                  switchUuid: '50 2a 6e 1f 9b 3c 4d 5e-8f 7a 6b 5c 4d 3e 2f 1a',
                },
              },
            },
          },
        ],
        extraConfig: [{ key: 'guestinfo.ic.refreshed', value: '1' }],
      }),
  ],
  [
    'ReconfigVM_Task.e1000e-opaque',
    'ReconfigVM_Task',
    (c) =>
      v.reconfigVmTask(c, VM, {
        deviceChange: [
          {
            operation: 'edit',
            device: {
              _type: 'VirtualE1000e',
              connectable: { connected: true, allowGuestControl: true, startConnected: true },
              backing: {
                opaqueNetworkType: 'nsx.LogicalSwitch',
                opaqueNetworkId: 'f1e2d3c4-0000-4000-8000-0123456789ab',
                _type: 'VirtualEthernetCardOpaqueNetworkBackingInfo',
              },
              key: 4000,
            },
          },
        ],
      }),
  ],
  [
    'CloneVM_Task',
    'CloneVM_Task',
    (c) =>
      v.cloneVmTask(c, VM, { type: 'Folder', value: 'group-v3' }, 'clone-1', {
        powerOn: true,
        config: {
          extraConfig: [{ key: 'guestinfo.ic.owner', value: 'ts-client' }],
          annotation: 'made by a test',
        },
        template: false,
        location: {
          pool: { type: 'ResourcePool', value: 'resgroup-8' },
          datastore: { type: 'Datastore', value: 'datastore-11' },
        },
      }),
  ],
  ['PowerOffVM_Task', 'PowerOffVM_Task', (c) => v.powerOffVmTask(c, VM)],
  ['Destroy_Task', 'Destroy_Task', (c) => v.destroyTask(c, VM)],
  [
    'StartProgramInGuest.linux',
    'StartProgramInGuest',
    (c) =>
      v.startProgramInGuest(c, VM, ROOT_AUTH, {
        programPath: '/bin/sh',
        arguments: "-c 'modprobe -r vmxnet3; modprobe vmxnet3; dhclient'",
        workingDirectory: '/tmp',
        envVariables: ['LANG=C', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
      }),
  ],
  [
    'StartProgramInGuest.windows',
    'StartProgramInGuest',
    (c) =>
      v.startProgramInGuest(
        c,
        VM,
        { password: '***', username: 'Administrator' },
        {
          startMinimized: true,
          _type: 'GuestWindowsProgramSpec',
          arguments: '/c netsh interface set interface name="Ethernet0" admin=disabled & ipconfig /renew',
          programPath: 'C:\\Windows\\System32\\cmd.exe',
        },
      ),
  ],
  [
    'ListProcessesInGuest.pids',
    'ListProcessesInGuest',
    (c) => v.listProcessesInGuest(c, VM, ROOT_AUTH, [4242, 4243]),
  ],
  ['ListProcessesInGuest.all', 'ListProcessesInGuest', (c) => v.listProcessesInGuest(c, VM, ROOT_AUTH)],
  [
    'InitiateFileTransferFromGuest',
    'InitiateFileTransferFromGuest',
    (c) => v.initiateFileTransferFromGuest(c, VM, ROOT_AUTH, '/var/log/ic-refresh.log'),
  ],
  [
    'InitiateFileTransferToGuest.posix',
    'InitiateFileTransferToGuest',
    (c) =>
      v.initiateFileTransferToGuest(
        c,
        VM,
        ROOT_AUTH,
        '/tmp/refresh.sh',
        { _type: 'GuestPosixFileAttributes', permissions: 493 },
        128,
        true,
      ),
  ],
  [
    'InitiateFileTransferToGuest.windows',
    'InitiateFileTransferToGuest',
    (c) =>
      v.initiateFileTransferToGuest(
        c,
        VM,
        { username: 'Administrator', password: '***' },
        'C:\\Temp\\refresh.cmd',
        { _type: 'GuestWindowsFileAttributes', readOnly: true, hidden: false },
        64,
        true,
      ),
  ],
  ['Logout', 'Logout', (c) => v.logout(c)],
];

describe('golden XML: requests match pyVmomi 6.7.1', () => {
  const fake = new FakeVim();
  let c: v.VsphereClient;

  beforeAll(async () => {
    await fake.start();
    c = await v.VsphereClient.connect({
      url: fake.url,
      username: 'administrator@vsphere.local',
      password: '***',
    });
  });
  afterAll(() => fake.stop());

  const expectSame = (actualXml: string, name: string) => {
    expect(diffXml(bodyElement(actualXml), bodyElement(fixture(name)))).toEqual([]);
  };

  it('RetrieveServiceContent (sent by connect)', () => {
    expectSame(fake.last('RetrieveServiceContent').body, 'RetrieveServiceContent');
  });

  it.each(cases)('%s', async (name, method, run) => {
    const before = fake.requests.length;
    await run(c);
    const sent = fake.requests.slice(before).filter((r) => r.method === method);
    const match = sent.find((r) => diffXml(bodyElement(r.body), bodyElement(fixture(name))).length === 0);
    // Show the diff of the last request of that method if none matched.
    if (!match) expectSame(fake.last(method).body, name);
    expect(fake.last(method).soapAction).toBe('"urn:vim25/6.7"');
  });

  it('guest operation managers lookup', () => {
    const lookup = fake.requests.find(
      (r) => r.method === 'RetrievePropertiesEx' && r.body.includes('processManager'),
    );
    expectSame(lookup?.body ?? '', 'RetrievePropertiesEx.guest-managers');
  });

  it('waitForTask sends CreateFilter, WaitForUpdatesEx (first call style) and DestroyPropertyFilter', async () => {
    const before = fake.requests.length;
    const result = await v.waitForTask(c, { type: 'Task', value: 'task-122' }, { maxWaitSeconds: 20 });
    expect(result).toEqual({ type: 'VirtualMachine', value: 'vm-200' });
    const sent = fake.requests.slice(before);
    expect(sent.map((r) => r.method)).toEqual(['CreateFilter', 'WaitForUpdatesEx', 'DestroyPropertyFilter']);
    expectSame(sent[0]?.body ?? '', 'CreateFilter.task');
    expectSame(sent[1]?.body ?? '', 'WaitForUpdatesEx.first');
  });
});
