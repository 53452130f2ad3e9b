// HTTP(S) front: POST /sdk (SOAP), GET /sdk/vimServiceVersions.xml + vimService.wsdl, /guestFile, POST /sim/control.
import { X509Certificate } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { SimFault } from './faults.js';
import { transfersOf } from './guest-operations.js';
import { Sessions } from './session-manager.js';
import type { CallCtx, Sim } from './sim.js';
import { BadRequest, esc, faultEnvelope, parseEnvelope, responseEnvelope } from './xml.js';

export type ControlHandler = (body: Record<string, unknown>) => unknown;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function versionsXml(apiVersion: string): string {
  const prior = [
    '7.0.2.0',
    '7.0.1.0',
    '7.0.0.0',
    '6.7.3',
    '6.7.2',
    '6.7.1',
    '6.7',
    '6.5',
    '6.0',
    '5.5',
    '5.1',
    '5.0',
  ].filter((v) => v !== apiVersion);
  return `<?xml version="1.0" encoding="UTF-8" ?>
<namespaces version="1.0">
 <namespace>
  <name>urn:vim25</name>
  <version>${esc(apiVersion)}</version>
  <priorVersions>
${prior.map((v) => `   <version>${v}</version>`).join('\n')}
  </priorVersions>
 </namespace>
</namespaces>
`;
}

export async function listen(sim: Sim, port: number, secure: boolean, control: ControlHandler) {
  const apiVersion = String(
    sim.about.get('apiVersion') && (sim.about.get('apiVersion') as { value: string }).value,
  );
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (req.method === 'GET' && url.pathname === '/sdk/vimServiceVersions.xml') {
        res.writeHead(200, { 'content-type': 'text/xml' }).end(versionsXml(apiVersion));
      } else if (req.method === 'GET' && url.pathname === '/sdk/vimService.wsdl') {
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<definitions targetNamespace="urn:vim25Service" xmlns="http://schemas.xmlsoap.org/wsdl/"><import location="vim.wsdl" namespace="urn:vim25"/><service name="VimService"><port binding="interface:VimBinding" name="VimPort"><soap:address location="https://localhost/sdk" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"/></port></service></definitions>\n`,
          );
      } else if (url.pathname === '/guestFile') {
        await guestFile(sim, req, res, url);
      } else if (req.method === 'POST' && url.pathname === '/sim/control') {
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(control(body) ?? { ok: true }));
      } else if (req.method === 'POST' && url.pathname === '/sdk') {
        await soap(sim, req, res, (server.address() as AddressInfo).port);
      } else {
        res.writeHead(404).end();
      }
    } catch (e) {
      if (!res.headersSent)
        res.writeHead(e instanceof BadRequest || e instanceof SyntaxError ? 400 : 500, {
          'content-type': 'text/plain',
        });
      res.end(String(e instanceof Error ? e.message : e));
    }
  };
  let server: http.Server;
  if (secure) {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    } as Parameters<typeof generate>[1]);
    // This server also serves the hosts' guestFile URLs, so every host's sslThumbprint is its SHA-1 fingerprint.
    const { fingerprint } = new X509Certificate(pems.cert);
    for (const h of sim.inv.hosts) h.thumbprint = fingerprint;
    server = https.createServer({ key: pems.private, cert: pems.cert }, handler);
  } else server = http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

async function soap(sim: Sim, req: IncomingMessage, res: ServerResponse, port: number) {
  const call = parseEnvelope((await readBody(req)).toString('utf8'));
  const ctx: CallCtx = {
    session: sim.sessions.fromCookie(req.headers.cookie),
    caller: {
      ipAddress: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
    },
    port,
  };
  const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
  try {
    const ret = await sim.invoke(call.name, call, ctx);
    if (ctx.newSession) headers['set-cookie'] = Sessions.cookie(ctx.newSession);
    res.writeHead(200, headers).end(responseEnvelope(call.name, ret));
  } catch (e) {
    const f =
      e instanceof SimFault ? e : new SimFault('SystemError', e instanceof Error ? e.message : String(e), []);
    res.writeHead(500, headers).end(faultEnvelope(f.faultName, f.message, f.detail()));
  }
}

async function guestFile(sim: Sim, req: IncomingMessage, res: ServerResponse, url: URL) {
  const id = url.searchParams.get('id') ?? '';
  const t = transfersOf(sim).get(id);
  if (!t || t.token !== url.searchParams.get('token')) {
    res.writeHead(404).end();
    return;
  }
  if (t.direction === 'from' && req.method === 'GET') {
    transfersOf(sim).delete(id);
    const content = sim.guests.readFile(t.vm, t.path) ?? '';
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': Buffer.byteLength(content),
      })
      .end(content);
  } else if (t.direction === 'to' && req.method === 'PUT') {
    transfersOf(sim).delete(id);
    sim.guests.writeFile(t.vm, t.path, (await readBody(req)).toString('utf8'));
    res.writeHead(200).end();
  } else res.writeHead(405).end();
}
