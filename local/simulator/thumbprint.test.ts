// Each HostSystem's summary.config.sslThumbprint is the SHA-1 fingerprint of the certificate this server
// presents (it serves the hosts' guestFile URLs too), so clients that pin it, as govmomi does, succeed.
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  downloadGuestFile,
  initiateFileTransferFromGuest,
  initiateFileTransferToGuest,
  retrieveProperties,
  uploadGuestFile,
} from '../../lambdas/vsphere/index.js';
import { useSimulatorWithClient } from '../../test/support/simulator-client.js';

const THUMBPRINT = 'summary.config.sslThumbprint';

function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint);
      s.end();
    });
    s.once('error', reject);
  });
}

describe('ESXi host thumbprints', () => {
  const env = useSimulatorWithClient();

  it('equal the SHA-1 fingerprint of the certificate the simulator serves', async () => {
    const fingerprint = await peerFingerprint(Number(new URL(env.sim.url).port));
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    const hosts = ['host-21', 'host-22'].map((value) => ({ type: 'HostSystem', value }));
    const props = await retrieveProperties(env.client, hosts, [THUMBPRINT]);
    expect([...props.values()].map((p) => p[THUMBPRINT])).toEqual([fingerprint, fingerprint]);
  });

  it('lets pinned guest file transfers through; another thumbprint is refused', async () => {
    const hosts = await retrieveProperties(
      env.client,
      [{ type: 'HostSystem', value: 'host-21' }],
      [THUMBPRINT],
    );
    const thumbprint = String(hosts.get('host-21')?.[THUMBPRINT]);
    const vm = env.sim.plantVm({ name: 'pinned-1' }).moref;
    const auth = { ...env.sim.guest.linux };
    const attrs = { _type: 'GuestPosixFileAttributes' };
    const put = await initiateFileTransferToGuest(
      env.client,
      vm,
      auth,
      '/tmp/pin.txt',
      attrs as never,
      6,
      true,
    );
    expect(put).toMatch(/^https:\/\/\*:\d+\/guestFile\?/);
    await uploadGuestFile(env.client, put, 'pinned', { thumbprint });
    const get = async () => (await initiateFileTransferFromGuest(env.client, vm, auth, '/tmp/pin.txt')).url;
    expect(String(await downloadGuestFile(env.client, await get(), { thumbprint }))).toBe('pinned');
    const wrong = `${thumbprint.startsWith('00') ? '01' : '00'}${thumbprint.slice(2)}`;
    await expect(downloadGuestFile(env.client, await get(), { thumbprint: wrong })).rejects.toThrow(
      /thumbprint did not match/,
    );
  });
});
