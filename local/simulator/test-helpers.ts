// Test-only: a raw SOAP caller (bodies shaped as pyVmomi serializes them), no project client.
import type { RunningSimulator } from './types.js';

export interface SoapReply {
  status: number;
  xml: string;
  cookie?: string;
  fault?: string;
}

const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n<soapenv:Body>${body}</soapenv:Body>\n</soapenv:Envelope>`;

export class RawSoap {
  cookie?: string;
  constructor(readonly sim: RunningSimulator) {}

  async call(method: string, inner: string): Promise<SoapReply> {
    const res = await fetch(this.sim.url, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: '"urn:vim25/6.7.1"',
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: ENV(`<${method} xmlns="urn:vim25">${inner}</${method}>`),
    });
    const xml = await res.text();
    const cookie = res.headers.get('set-cookie') ?? undefined;
    const fault = /<detail><(\w+)Fault [^>]*xsi:type="(\w+)"/.exec(xml)?.[2];
    return { status: res.status, xml, cookie, fault };
  }

  async login(password = this.sim.password): Promise<SoapReply> {
    const r = await this.call(
      'Login',
      `<_this type="SessionManager">SessionManager</_this><userName>${this.sim.username}</userName><password>${password}</password>`,
    );
    if (r.cookie) this.cookie = r.cookie.split(';')[0];
    return r;
  }

  async find(path: string): Promise<string> {
    const r = await this.call(
      'FindByInventoryPath',
      `<_this type="SearchIndex">SearchIndex</_this><inventoryPath>${path}</inventoryPath>`,
    );
    return /<returnval type="VirtualMachine">([^<]+)</.exec(r.xml)?.[1] ?? '';
  }

  async props(type: string, id: string, paths: string[]): Promise<string> {
    const ps = paths.map((p) => `<pathSet>${p}</pathSet>`).join('');
    const r = await this.call(
      'RetrievePropertiesEx',
      `<_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>${type}</type><all>false</all>${ps}</propSet><objectSet><obj type="${type}">${id}</obj><skip>false</skip></objectSet></specSet><options></options>`,
    );
    return r.xml;
  }

  async waitTask(task: string): Promise<string> {
    for (;;) {
      const xml = await this.props('Task', task, ['info']);
      if (/<state>(success|error)<\/state>/.test(xml)) return xml;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async task(method: string, vm: string, inner = ''): Promise<string> {
    const r = await this.call(method, `<_this type="VirtualMachine">${vm}</_this>${inner}`);
    const task = /<returnval type="Task">([^<]+)</.exec(r.xml)?.[1];
    if (!task) throw new Error(`${method}: ${r.xml}`);
    return this.waitTask(task);
  }

  async instantClone(vm: string, name: string, connected: boolean): Promise<string> {
    const xml = await this.task(
      'InstantClone_Task',
      vm,
      `<spec><name>${name}</name><location><deviceChange><operation>edit</operation><device xsi:type="VirtualVmxnet3"><key>4000</key><connectable><migrateConnect>${connected ? 'connect' : 'disconnect'}</migrateConnect><startConnected>true</startConnected><allowGuestControl>true</allowGuestControl><connected>${connected}</connected></connectable></device></deviceChange></location><config><key>guestinfo.ic.run</key><value xsi:type="xsd:string">t1</value></config></spec>`,
    );
    const id = /<result xsi:type="ManagedObjectReference" type="VirtualMachine">([^<]+)</.exec(xml)?.[1];
    if (!id) throw new Error(`clone failed: ${xml}`);
    return id;
  }

  auth(os: 'linux' | 'windows', password = this.sim.guest[os].password): string {
    return `<auth xsi:type="NamePasswordAuthentication"><interactiveSession>false</interactiveSession><username>${this.sim.guest[os].username}</username><password>${password}</password></auth>`;
  }

  startProgram(
    vm: string,
    os: 'linux' | 'windows',
    program: string,
    args: string,
    password?: string,
  ): Promise<SoapReply> {
    const esc = args.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return this.call(
      'StartProgramInGuest',
      `<_this type="GuestProcessManager">guestOperationsProcessManager</_this><vm type="VirtualMachine">${vm}</vm>${this.auth(os, password)}<spec><programPath>${program}</programPath><arguments>${esc}</arguments></spec>`,
    );
  }

  async runToEnd(vm: string, os: 'linux' | 'windows', program: string, args: string): Promise<number> {
    const r = await this.startProgram(vm, os, program, args);
    const pid = /<returnval>(\d+)</.exec(r.xml)?.[1];
    if (!pid) throw new Error(r.xml);
    for (;;) {
      const l = await this.call(
        'ListProcessesInGuest',
        `<_this type="GuestProcessManager">guestOperationsProcessManager</_this><vm type="VirtualMachine">${vm}</vm>${this.auth(os)}<pids>${pid}</pids>`,
      );
      const code = /<exitCode>(-?\d+)</.exec(l.xml)?.[1];
      if (code !== undefined) return Number(code);
      await new Promise((res) => setTimeout(res, 5));
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
