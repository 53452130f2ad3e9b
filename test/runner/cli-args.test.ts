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

  const ok = [
    ...['--url', 'https://vc.lab/sdk', '--username', 'svc', '--source', 'linux=/DC/vm/u,os=linux'],
    ...['--guest-user', 'linux=root'],
  ];
  const env = { VSPHERE_PASSWORD: 'vc-pw', GUEST_PASSWORD: 'g-pw' };

  it.each([
    [['--count', 'lnux=2'], /--count lnux=2: no --source named lnux \(sources: linux\)/],
    [['--count', 'linux=two'], /--count linux must be a number above 0, got 'two'/],
    [['--hold-seconds', 'soon'], /--hold-seconds must be a number of 0 or more, got 'soon'/],
    [['--max-concurrency', '0'], /--max-concurrency must be a number above 0/],
    [['--lease-minutes', 'x'], /--lease-minutes must be a number/],
    [['--ip-timeout', '1.5'], /--ip-timeout must be a whole number/],
  ])('refuses %j', (extra, message) => {
    expect(() => parseCli([...ok, ...extra], env)).toThrow(message);
  });

  it('refuses a source without a guest account before anything is created', () => {
    const argv = ['--url', 'https://vc.lab/sdk', '--username', 'svc', '--source', 'linux=/DC/vm/u,os=linux'];
    expect(() => parseCli(argv, env)).toThrow(
      /--guest-user is missing for linux \(--guest-user linux=USER\)/,
    );
  });

  it.each([
    ['vc.lab/sdk', /has no scheme: write https:\/\/vc.lab\/sdk/],
    ['https://vc.lab', /does not end in \/sdk.*use https:\/\/vc.lab\/sdk/],
  ])('refuses the URL %s saying what to write', (url, message) => {
    const argv = ok.map((a) => (a === 'https://vc.lab/sdk' ? url : a));
    expect(() => parseCli(argv, env)).toThrow(message);
  });
});
