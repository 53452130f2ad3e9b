// vCenter thumbprint pinning (vcenter.thumbprint), against the simulator's self-signed certificate: the safe
// alternative to `insecure`. A matching pin logs in with full session reuse; another certificate is refused
// before anything (not even the Login password) is sent; insecure plus a pin is a contradiction and refused.
import { createHash } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../local/simulator/index.js';
import type { RunningSimulator } from '../../local/simulator/types.js';
import { VsphereClient } from './index.js';

function peerCertificate(port: number): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate());
      s.end();
    });
    s.once('error', reject);
  });
}

describe('vCenter thumbprint pinning', () => {
  let sim: RunningSimulator;
  let cert: tls.PeerCertificate;
  const connect = (extra: { thumbprint: string; insecure?: boolean }) =>
    VsphereClient.connect({ url: sim.url, username: sim.username, password: sim.password, ...extra });

  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.01 });
    cert = await peerCertificate(Number(new URL(sim.url).port));
  });
  afterAll(() => sim.stop());

  it('trusts the self-signed vCenter whose SHA-256 or SHA-1 fingerprint is pinned', async () => {
    for (const thumbprint of [cert.fingerprint256, cert.fingerprint.replaceAll(':', '').toLowerCase()]) {
      const client = await connect({ thumbprint });
      expect(client.serviceContent.about.apiVersion).toBeTruthy();
      await client.close();
    }
    // Without a pin and without insecure the same certificate is refused (it is self-signed).
    await expect(
      VsphereClient.connect({ url: sim.url, username: sim.username, password: sim.password }),
    ).rejects.toThrow();
  });

  it('refuses another certificate before the login is sent', async () => {
    const calls = () => JSON.stringify(sim.stats().calls);
    const before = calls();
    const other = createHash('sha256').update('another certificate').digest('hex');
    await expect(connect({ thumbprint: other })).rejects.toThrow(/vCenter thumbprint did not match/);
    expect(calls()).toBe(before);
  });

  it('refuses insecure together with a pin', async () => {
    await expect(connect({ thumbprint: cert.fingerprint256, insecure: true })).rejects.toThrow(
      /either insecure or a vCenter thumbprint/,
    );
  });
});
