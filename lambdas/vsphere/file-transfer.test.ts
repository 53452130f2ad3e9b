// Guest file transfers pinned to the ESXi host's thumbprint, against loopback HTTPS servers with self-signed
// certificates: a vCenter front (proxying FakeVim) and an "ESXi host" serving the transfer URLs.
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeVim } from '../../test/golden-xml.server.js';
import * as v from './index.js';

const selfSigned = (commonName: string) =>
  generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });

const listen = async (server: http.Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};

describe('guest file transfer with ESXi thumbprint pinning', () => {
  const fake = new FakeVim();
  const servers: http.Server[] = [];
  const received: { method: string; body: string }[] = [];
  const logs: string[] = [];
  const logger = { debug: log, info: log, warn: log, error: log };
  function log(...a: unknown[]) {
    logs.push(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' '));
  }
  let vcenterPem: string;
  let esxi: X509Certificate;
  let esxiPem: string;
  let vcenterUrl: string;
  let getUrl: string;
  let putUrl: string;

  beforeAll(async () => {
    await fake.start();
    const [vc, host] = await Promise.all([selfSigned('vcenter.test'), selfSigned('esxi.test')]);
    vcenterPem = vc.cert;
    esxiPem = host.cert;
    esxi = new X509Certificate(host.cert);
    const front = https.createServer({ key: vc.private, cert: vc.cert }, (req, res) => {
      const up = http.request(
        new URL(req.url ?? '/', fake.url),
        { method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    const esxiServer = https.createServer({ key: host.private, cert: host.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', body: Buffer.concat(chunks).toString() });
        res.end(req.method === 'GET' ? 'from-guest' : '');
      });
    });
    servers.push(front, esxiServer);
    vcenterUrl = `https://127.0.0.1:${await listen(front)}/sdk`;
    const esxiPort = await listen(esxiServer);
    getUrl = `https://127.0.0.1:${esxiPort}/guestFile?id=1&token=one-time-secret`;
    putUrl = `https://*:${esxiPort}/guestFile?id=2&token=one-time-secret`;
  });
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all([fake.stop(), ...servers.map((s) => new Promise((r) => s.close(r)))]);
  });

  const connect = (options: { caPem?: string; insecure?: boolean }) =>
    v.VsphereClient.connect({ url: vcenterUrl, username: 'admin', password: 'pw', logger, ...options });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => expect.unreachable('should have failed'),
      (e: Error) => e,
    );

  it('without a thumbprint keeps the client TLS settings: an untrusted host fails unless insecure', async () => {
    const strict = await connect({ caPem: vcenterPem });
    const e = await failure(v.downloadGuestFile(strict, getUrl));
    expect(e).toBeInstanceOf(v.VsphereTransportError);
    expect(e.message).toMatch(/self[- ]signed|certificate/i);
    const insecure = await connect({ insecure: true });
    expect(String(await v.downloadGuestFile(insecure, getUrl))).toBe('from-guest');
    await Promise.all([strict.close(), insecure.close()]);
  });

  it('with the matching thumbprint accepts the untrusted certificate (SHA-1 or SHA-256, any case)', async () => {
    const strict = await connect({ caPem: vcenterPem });
    const sha1 = esxi.fingerprint;
    expect(sha1).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(String(await v.downloadGuestFile(strict, getUrl, { thumbprint: sha1 }))).toBe('from-guest');
    const sha256 = esxi.fingerprint256.toLowerCase();
    expect(String(await v.downloadGuestFile(strict, getUrl, { thumbprint: sha256 }))).toBe('from-guest');
    received.length = 0;
    await v.uploadGuestFile(strict, putUrl, 'to-guest', { thumbprint: sha1 });
    expect(received).toEqual([{ method: 'PUT', body: 'to-guest' }]);
    await strict.close();
  });

  it('with a wrong thumbprint fails before sending anything, even when the certificate is trusted or insecure', async () => {
    const wrong = new X509Certificate(vcenterPem).fingerprint;
    const clients = [
      await connect({ caPem: vcenterPem }),
      await connect({ insecure: true }),
      await connect({ caPem: `${vcenterPem}\n${esxiPem}` }),
    ];
    // The third client trusts the host's certificate outright: the pin still decides.
    expect(String(await v.downloadGuestFile(clients[2] as v.VsphereClient, getUrl))).toBe('from-guest');
    received.length = 0;
    for (const c of clients) {
      const get = await failure(v.downloadGuestFile(c, getUrl, { thumbprint: wrong }));
      expect(get).toBeInstanceOf(v.VsphereTransportError);
      expect(get.message).toMatch(/thumbprint did not match/);
      expect(get.message).toContain(`expected ${wrong}`);
      expect(get.message).toContain(esxi.fingerprint);
      expect(get.message).toMatch(/summary\.config\.sslThumbprint/);
      expect(get.message).not.toContain('one-time-secret');
      const put = await failure(v.uploadGuestFile(c, putUrl, 'to-guest', { thumbprint: wrong }));
      expect(put.message).toMatch(/thumbprint did not match/);
      await c.close();
    }
    // Neither the URL's token nor the upload reached the unpinned peer.
    expect(received).toEqual([]);
    expect(logs.join('\n')).not.toContain('one-time-secret');
  });

  it('rejects a thumbprint that is neither SHA-1 nor SHA-256', async () => {
    const c = await connect({ insecure: true });
    const e = await failure(v.downloadGuestFile(c, getUrl, { thumbprint: 'AB:CD' }));
    expect(e).toBeInstanceOf(v.VsphereTransportError);
    expect(e.message).toMatch(/neither a SHA-1 nor a SHA-256/);
    await c.close();
  });
});
