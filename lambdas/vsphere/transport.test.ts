import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VsphereTransportError } from './errors.js';
import { httpRequest } from './transport.js';

describe('httpRequest', () => {
  // Accepts connections and never answers, like a vCenter stuck behind a half-open VPN tunnel.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => sockets.add(socket));
  let url: URL;
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/sdk`);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up on a silent server with a VsphereTransportError that says what to check', async () => {
    const agent = new http.Agent();
    const error = await httpRequest(agent, 'POST', url, {}, '<x/>', 200).catch((e: unknown) => e);
    agent.destroy();
    expect(error).toBeInstanceOf(VsphereTransportError);
    expect((error as Error).message).toMatch(/no answer for 0.2 s; check that vCenter is up/);
  });
});
