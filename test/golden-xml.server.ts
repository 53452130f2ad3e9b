import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One captured request. */
export interface Recorded {
  method: string;
  soapAction?: string;
  cookie?: string;
  body: string;
}

const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

const SERVICE_CONTENT =
  '<rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
  '<viewManager type="ViewManager">ViewManager</viewManager><about><name>VMware vCenter Server</name>' +
  '<fullName>VMware vCenter Server 6.7.0</fullName><vendor>VMware, Inc.</vendor><version>6.7.0</version><build>1</build>' +
  '<osType>linux-x64</osType><productLineId>vpx</productLineId><apiType>VirtualCenter</apiType><apiVersion>6.7</apiVersion></about>' +
  '<sessionManager type="SessionManager">SessionManager</sessionManager><searchIndex type="SearchIndex">SearchIndex</searchIndex>' +
  '<guestOperationsManager type="GuestOperationsManager">guestOperationsManager</guestOperationsManager>';

function returnval(method: string, body: string, port: number): string {
  switch (method) {
    case 'RetrieveServiceContent':
      return SERVICE_CONTENT;
    case 'Login':
      return '<key>52aa</key><userName>VSPHERE.LOCAL\\Administrator</userName><fullName>Administrator</fullName>';
    case 'FindByInventoryPath':
      return body.includes('missing') ? '' : 'vm-124';
    case 'CreateContainerView':
    case 'CreateFilter':
      return 'session[52b1]52d2';
    case 'RetrievePropertiesEx':
      if (body.includes('processManager')) {
        return (
          '<objects><obj type="GuestOperationsManager">guestOperationsManager</obj>' +
          '<propSet><name>fileManager</name><val type="GuestFileManager" xsi:type="ManagedObjectReference">guestOperationsFileManager</val></propSet>' +
          '<propSet><name>processManager</name><val type="GuestProcessManager" xsi:type="ManagedObjectReference">guestOperationsProcessManager</val></propSet></objects>'
        );
      }
      return '<token>1</token><objects><obj type="VirtualMachine">vm-124</obj><propSet><name>name</name><val xsi:type="xsd:string">a</val></propSet></objects>';
    case 'ContinueRetrievePropertiesEx':
      return '<objects><obj type="VirtualMachine">vm-125</obj><propSet><name>name</name><val xsi:type="xsd:string">b</val></propSet></objects>';
    case 'WaitForUpdatesEx':
      return (
        '<version>2</version><filterSet><filter type="PropertyFilter">session[52b1]52d2</filter><objectSet><kind>enter</kind>' +
        '<obj type="Task">task-1</obj><changeSet><name>info.state</name><op>assign</op><val xsi:type="TaskInfoState">success</val></changeSet>' +
        '<changeSet><name>info.result</name><op>assign</op><val type="VirtualMachine" xsi:type="ManagedObjectReference">vm-200</val></changeSet>' +
        '</objectSet></filterSet>'
      );
    case 'StartProgramInGuest':
      return '4242';
    case 'ListProcessesInGuest':
      return '<name>sh</name><pid>4242</pid><owner>root</owner><cmdLine>/bin/sh</cmdLine><startTime>2026-01-01T00:00:00Z</startTime><endTime>2026-01-01T00:00:01Z</endTime><exitCode>0</exitCode>';
    case 'InitiateFileTransferFromGuest':
      return `<attributes xsi:type="GuestPosixFileAttributes"><permissions>420</permissions></attributes><size>5</size><url>http://*:${port}/guestFile?id=1&amp;token=t</url>`;
    case 'InitiateFileTransferToGuest':
      return `http://*:${port}/guestFile?id=2&amp;token=t`;
    case 'Logout':
    case 'DestroyView':
    case 'DestroyPropertyFilter':
      return '';
    default:
      return 'task-1';
  }
}

const TASK_METHODS = /_Task$/;

/** A loopback vim25 stand-in: records each request and answers a canned response. */
export class FakeVim {
  readonly requests: Recorded[] = [];
  readonly uploads: Buffer[] = [];
  /** Faults to answer instead, per method, consumed in order (e.g. `NotAuthenticated`). */
  readonly faults = new Map<string, string[]>();
  cookie = 'fake-session-0001';
  #server = http.createServer((req, res) => this.#handle(req, res));
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/sdk`;
    return this;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }

  /** The last recorded request for `method`. */
  last(method: string): Recorded {
    const r = this.requests.filter((x) => x.method === method).at(-1);
    if (!r) throw new Error(`no ${method} request recorded`);
    return r;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const port = (this.#server.address() as AddressInfo).port;
      if (req.url?.startsWith('/guestFile')) {
        if (req.method === 'PUT') this.uploads.push(Buffer.concat(chunks));
        res.end(req.method === 'GET' ? 'hello' : '');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const method = /<soap:Body><(?:\w+:)?(\w+)/.exec(body)?.[1] ?? 'unknown';
      this.requests.push({
        method,
        body,
        soapAction: req.headers.soapaction as string | undefined,
        cookie: req.headers.cookie,
      });
      const fault = this.faults.get(method)?.shift();
      res.setHeader('Content-Type', 'text/xml; charset=utf-8');
      if (fault) {
        res.statusCode = 500;
        res.end(
          `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${fault === 'NotAuthenticated' ? '' : 'injected'}</faultstring>` +
            `<detail><${fault}Fault xmlns="urn:vim25" xsi:type="${fault}"/></detail></soapenv:Fault>${ENV_CLOSE}`,
        );
        return;
      }
      if (method === 'Login')
        res.setHeader('Set-Cookie', `vmware_soap_session="${this.cookie}"; Path=/; HttpOnly; Secure;`);
      const rv = returnval(method, body, port);
      const typeAttr = TASK_METHODS.test(method)
        ? ' type="Task"'
        : /^(FindByInventoryPath)$/.test(method) && rv
          ? ' type="VirtualMachine"'
          : /^(CreateContainerView)$/.test(method)
            ? ' type="ContainerView"'
            : method === 'CreateFilter'
              ? ' type="PropertyFilter"'
              : '';
      const inner = rv === '' ? '' : `<returnval${typeAttr}>${rv}</returnval>`;
      res.end(`${ENV_OPEN}<${method}Response xmlns="urn:vim25">${inner}</${method}Response>${ENV_CLOSE}`);
    });
  }
}
