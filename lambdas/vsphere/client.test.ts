import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeVim } from '../../test/golden-xml.server.js';
import * as v from './index.js';

const PASSWORD = 'S3cret-Passw0rd!';
const GUEST_PASSWORD = 'Gu3st-Passw0rd!';

function captureLogger() {
  const lines: string[] = [];
  const log = (...a: unknown[]) =>
    lines.push(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' '));
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

describe('VsphereClient sessions, faults and transfers', () => {
  const fakes: FakeVim[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });
  const start = async () => {
    const f = await new FakeVim().start();
    fakes.push(f);
    return f;
  };

  it('sends the session cookie, re-logs in once on NotAuthenticated and never logs secrets', async () => {
    const fake = await start();
    const { lines, logger } = captureLogger();
    const c = await v.VsphereClient.connect({ url: fake.url, username: 'admin', password: PASSWORD, logger });
    expect(fake.last('Login').cookie).toBeUndefined();
    await v.findByInventoryPath(c, 'DC0/vm/a');
    expect(fake.last('FindByInventoryPath').cookie).toBe(`vmware_soap_session="${fake.cookie}"`);

    fake.cookie = 'fake-session-0002';
    fake.faults.set('FindByInventoryPath', ['NotAuthenticated']);
    expect(await v.findByInventoryPath(c, 'DC0/vm/a')).toEqual({ type: 'VirtualMachine', value: 'vm-124' });
    expect(fake.requests.map((r) => r.method).slice(-3)).toEqual([
      'FindByInventoryPath',
      'Login',
      'FindByInventoryPath',
    ]);
    expect(fake.last('FindByInventoryPath').cookie).toContain('fake-session-0002');

    // Only one retry: a second NotAuthenticated surfaces.
    fake.faults.set('FindByInventoryPath', ['NotAuthenticated', 'NotAuthenticated']);
    await expect(v.findByInventoryPath(c, 'x')).rejects.toMatchObject({ faultName: 'NotAuthenticated' });

    await v.startProgramInGuest(
      c,
      { type: 'VirtualMachine', value: 'vm-1' },
      { username: 'root', password: GUEST_PASSWORD },
      {
        programPath: '/bin/true',
        arguments: '',
      },
    );
    await c.close();
    const text = `${lines.join('\n')}\n${JSON.stringify(c)}`;
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [
      PASSWORD,
      GUEST_PASSWORD,
      'fake-session-0001',
      'fake-session-0002',
      'vmware_soap_session',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('maps SOAP faults to VsphereFault and connection errors to VsphereTransportError', async () => {
    const fake = await start();
    const c = await v.VsphereClient.connect({ url: fake.url, username: 'a', password: 'b' });
    fake.faults.set('PowerOffVM_Task', ['InvalidState']);
    const err = await v.powerOffVmTask(c, { type: 'VirtualMachine', value: 'vm-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(v.VsphereFault);
    expect((err as v.VsphereFault).faultName).toBe('InvalidState');
    fake.faults.set('Login', ['InvalidLogin']);
    await expect(
      v.VsphereClient.connect({ url: fake.url, username: 'a', password: 'bad' }),
    ).rejects.toMatchObject({
      name: 'VsphereFault',
      faultName: 'InvalidLogin',
    });
    await expect(
      v.VsphereClient.connect({ url: 'http://127.0.0.1:1/sdk', username: 'a', password: 'b' }),
    ).rejects.toBeInstanceOf(v.VsphereTransportError);
  });

  it('reports a 200 response that is not SOAP (portal, proxy, wrong URL) as VsphereTransportError', async () => {
    for (const body of ['<html><body>portal</body></html>', 'not xml', '']) {
      const server = http.createServer((_req, res) => {
        res.setHeader('Content-Type', 'text/html');
        res.end(body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
        const err = await v.VsphereClient.connect({ url, username: 'a', password: 'b' }).catch(
          (e: unknown) => e,
        );
        expect(err, JSON.stringify(body)).toBeInstanceOf(v.VsphereTransportError);
        expect((err as v.VsphereTransportError).message).toMatch(
          /RetrieveServiceContent: .* not a SOAP envelope/,
        );
      } finally {
        server.closeAllConnections();
        server.close();
      }
    }
  });

  it('reads a SOAP fault sent with HTTP 200 as the fault, not as an empty result', async () => {
    const fault =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>' +
      '<faultstring>not now</faultstring><detail><InvalidStateFault xmlns="urn:vim25" xsi:type="InvalidState"></InvalidStateFault>' +
      '</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/xml');
      res.end(fault);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
      await expect(v.VsphereClient.connect({ url, username: 'a', password: 'b' })).rejects.toMatchObject({
        name: 'VsphereFault',
        faultName: 'InvalidState',
        message: expect.stringContaining('not now'),
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reads guest files from a `*` transfer URL on the connected host and uploads with PUT', async () => {
    const fake = await start();
    const c = await v.VsphereClient.connect({ url: fake.url, username: 'a', password: 'b' });
    const vm = { type: 'VirtualMachine', value: 'vm-1' };
    const auth = { username: 'root', password: 'x' };
    const info = await v.initiateFileTransferFromGuest(c, vm, auth, '/tmp/out');
    expect(info.url).toMatch(/^http:\/\/\*:\d+\/guestFile/);
    expect(info.size).toBe(5);
    expect(v.resolveTransferUrl(c, info.url).host).toBe(new URL(fake.url).host);
    expect((await v.downloadGuestFile(c, info.url)).toString()).toBe('hello');
    const put = await v.initiateFileTransferToGuest(
      c,
      vm,
      auth,
      '/tmp/in',
      { _type: 'GuestPosixFileAttributes' },
      3,
      true,
    );
    await v.uploadGuestFile(c, put, 'abc');
    expect(fake.uploads.map(String)).toEqual(['abc']);
    expect(await v.listProcessesInGuest(c, vm, auth, [4242])).toMatchObject([{ pid: 4242, exitCode: 0 }]);
  });

  it('verifies TLS by default, trusts caPem in addition to the default roots, and warns when insecure', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const server = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
      res.statusCode = 503;
      res.end('maintenance');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
    try {
      const untrusted = await v.VsphereClient.connect({ url, username: 'a', password: 'b' }).catch(
        (e: unknown) => e,
      );
      expect(untrusted).toBeInstanceOf(v.VsphereTransportError);
      expect(String((untrusted as Error).message)).toMatch(/self[- ]signed|certificate/i);
      // Trusted now: the TLS handshake succeeds and the HTTP 503 is reported instead.
      const trusted = await v.VsphereClient.connect({
        url,
        username: 'a',
        password: 'b',
        caPem: pems.cert,
      }).catch((e: unknown) => e);
      expect(trusted).toMatchObject({ name: 'VsphereTransportError', status: 503 });
      const { lines, logger } = captureLogger();
      const insecure = await v.VsphereClient.connect({
        url,
        username: 'a',
        password: 'b',
        insecure: true,
        logger,
      }).catch((e: unknown) => e);
      expect(insecure).toMatchObject({ status: 503 });
      expect(lines.join('\n')).toMatch(/TLS verification is DISABLED/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
