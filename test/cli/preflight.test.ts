// `instant-clone preflight` run as a user runs it (the package bin, a child process) against our simulator and
// against VMware's vcsim, which reports vCenter 6.5 and so must be refused with UnsupportedVersion.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator/index.js';
import { type RunningVcsim, startVcsim, vcsimUnavailable } from '../peers/vcsim.js';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function preflight(args: string[], password: string | undefined): Promise<Result> {
  const env = { ...process.env, VSPHERE_PASSWORD: password ?? '' };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'preflight', ...args], {
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('preflight against the simulator', () => {
  let sim: RunningSimulator;
  let base: string[];
  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.01 });
    base = ['--url', sim.url, '--username', sim.username, '--insecure', '--json'];
  });
  afterAll(() => sim.stop());

  it('passes every check on a frozen source and exits 0', async () => {
    const r = await preflight([...base, '--source', sim.sources.linux], sim.password);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.checks.map((c: { check: string }) => c.check)).toEqual([
      'login',
      'vcenter-version',
      'source-exists',
      'source-ready',
    ]);
    expect(r.stderr).toContain('TLS verification is DISABLED');
  });

  it.each([
    ['a running, unfrozen VM', 'SourceNotFrozen', 'notFrozen', 'instantclone.freeze'],
    ['a powered-off VM', 'SourceNotFrozen', 'poweredOff', 'Power it on'],
    ['a missing VM', 'SourceNotFound', undefined, 'inventory path'],
  ] as const)('refuses %s with %s and says what to do', async (_what, name, key, advice) => {
    const source = key ? sim.sources[key] : 'DC0/vm/templates/no-such-vm';
    const r = await preflight([...base, '--source', source], sim.password);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.name).toBe(name);
    expect(out.error.message).toContain(advice);
  });

  it('reports a bad password as a login failure without echoing it', async () => {
    const r = await preflight([...base, '--source', sim.sources.linux], 'not-the-password');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.name).toBe('LoginFailed');
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  });

  it('refuses an untrusted certificate unless --insecure or --ca is given', async () => {
    const r = await preflight(
      ['--url', sim.url, '--username', sim.username, '--json', '--source', sim.sources.linux],
      sim.password,
    );
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error.name).toBe('CertificateNotTrusted');
    expect(error.message).toContain('not trusted');
    expect(error.message).toContain('use --ca');
    expect(error.message).toContain('--insecure');
    expect(error.message).not.toMatch(/VPN/);
  });

  it.each([
    ['without /sdk', (url: string) => url.replace(/\/sdk$/, ''), 'does not end in /sdk'],
    ['without a scheme', (url: string) => url.replace(/^https:\/\//, ''), 'has no scheme: write https://'],
  ])('a URL %s is a usage error (exit 2) that says so', async (_what, bad, says) => {
    const r = await preflight(
      ['--url', bad(sim.url), '--username', sim.username, '--insecure', '--source', sim.sources.linux],
      sim.password,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(says);
    expect(r.stderr).not.toMatch(/TypeError/);
  });

  it('refuses an old vCenter with UnsupportedVersion', async () => {
    const old = await startSimulator({ timeScale: 0.01, vcenterVersion: '6.5.0' });
    try {
      const r = await preflight(
        ['--url', old.url, '--username', old.username, '--insecure', '--json', '--source', old.sources.linux],
        old.password,
      );
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error.name).toBe('UnsupportedVersion');
    } finally {
      await old.stop();
    }
  });

  it('is a usage error (exit 2) without a password or a required option', async () => {
    expect((await preflight([...base, '--source', sim.sources.linux], undefined)).code).toBe(2);
    const r = await preflight(['--url', sim.url, '--json'], sim.password);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toContain('--username');
  });
});

const vcsimMissing = vcsimUnavailable();
if (vcsimMissing && process.env.CI === 'true') {
  throw new Error(`vcsim peer is required in CI: ${vcsimMissing}`);
}

describe.skipIf(vcsimMissing !== undefined)('preflight against vcsim (VMware govmomi 0.24 simulator)', () => {
  let vcsim: RunningVcsim;
  beforeAll(async () => {
    vcsim = await startVcsim();
  });
  afterAll(() => vcsim?.stop());
  const againstVcsim = (password: string) =>
    preflight(
      [
        '--url',
        vcsim.url,
        '--username',
        vcsim.username,
        '--insecure',
        '--json',
        '--source',
        'DC0/vm/DC0_H0_VM0',
      ],
      password,
    );

  it('logs in and refuses vcsim 0.24 because it reports vCenter 6.5', async () => {
    const r = await againstVcsim(vcsim.password);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.checks[0]).toMatchObject({ check: 'login', ok: true });
    expect(out.error.name).toBe('UnsupportedVersion');
    expect(out.error.message).toContain('6.7');
  });

  it('reports InvalidLogin from vcsim as a login failure', async () => {
    const r = await againstVcsim('wrong-password');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.name).toBe('LoginFailed');
  });
});
