import { describe, expect, it } from 'vitest';
import { parseCli, parseSource } from '../../local/runner/cli-args.js';

describe('local CLI flags', () => {
  it('parses sources with several paths, os, nic and refresh command', () => {
    expect(parseSource('win=/DC/vm/w1;/DC/vm/w2,os=windows,nic=Ethernet1')).toEqual([
      'win',
      { paths: ['/DC/vm/w1', '/DC/vm/w2'], os: 'windows', nicName: 'Ethernet1' },
    ]);
    expect(() => parseSource('x=/p,os=bsd')).toThrow(/os=linux or os=windows/);
  });

  it('takes passwords from the environment only and builds a request', () => {
    const plan = parseCli(
      [
        '--url',
        'https://vc.lab/sdk',
        '--username',
        'svc',
        '--insecure',
        '--source',
        'linux=/DC/vm/u,os=linux',
        '--guest-user',
        'linux=root',
        '--count',
        'linux=3',
        '--hold-seconds',
        '5',
      ],
      { VSPHERE_PASSWORD: 'vc-pw', GUEST_PASSWORD_LINUX: 'g-pw', USER: 'me' },
    );
    expect(plan.options.vcenter).toEqual({
      url: 'https://vc.lab/sdk',
      username: 'svc',
      password: 'vc-pw',
      insecure: true,
    });
    expect(plan.options.guest).toEqual({ linux: { username: 'root', password: 'g-pw' } });
    expect(plan.options.input).toEqual({
      requesterId: 'local/me',
      namePrefix: 'local',
      sources: [{ source: 'linux', count: 3 }],
      leaseMinutes: 60,
    });
    expect(plan.options.release).toEqual({ afterMs: 5000 });
  });

  it('refuses to run without the vCenter password in the environment', () => {
    expect(() =>
      parseCli(['--url', 'https://vc/sdk', '--username', 'u', '--source', 'l=/p,os=linux'], {}),
    ).toThrow(/VSPHERE_PASSWORD/);
  });
});
