// The pipeline verbs as a CI job runs them: the package's bin as child processes against `npm run local-aws`
// (the real ASL through the local runner, the vCenter simulator behind it). No clone may be left afterwards.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, type LocalAws, startLocalAws } from './local-aws.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});
afterEach(async () => {
  await aws.expectNoClonesLeft();
});

const unique = (what: string) => `${what}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
const IP = /^198\.1[89]\.\d+\.\d+$/;

interface Acquired {
  runId: string;
  executionArn: string;
  leaseExpiresAt: string;
  clones: { name: string; ip: string; os: string; source: string }[];
}

describe('acquire → status → extend → release', { timeout: 300_000 }, () => {
  it('gets ready clones with IPs, shows them, extends the lease and gives them back', async () => {
    // Flags instead of the environment for where the state machine is.
    const { INSTANT_CLONE_STATE_MACHINE_ARN: arn, AWS_ENDPOINT_URL_SFN: endpoint, ...env } = aws.env;
    const where = ['--state-machine', arn ?? '', '--endpoint-url', endpoint ?? ''];
    const requester = unique('test/acquire');
    const got = await cli(
      [
        'acquire',
        ...where,
        '--source',
        'linux=2',
        '--lease-minutes',
        '120',
        '--requester',
        requester,
        '--key',
        unique('k'),
      ],
      env,
    );
    expect(got.stderr).toContain('→ cloning');
    expect(got.code, got.stderr).toBe(0);
    const run = JSON.parse(got.stdout) as Acquired;
    expect(run.runId).toMatch(/^[0-9a-f]{12}$/);
    expect(run.executionArn).toBe(`${arn?.replace(':stateMachine:', ':execution:')}:ic-${run.runId}`);
    expect(Date.parse(run.leaseExpiresAt)).toBeGreaterThan(Date.now());
    expect(run.clones).toHaveLength(2);
    for (const c of run.clones) {
      expect(c).toEqual({
        name: expect.stringContaining(`-${run.runId}-`),
        ip: expect.stringMatching(IP),
        os: 'linux',
        source: 'linux',
      });
    }

    const status = await cli(['status', run.runId, '--output', 'json', ...where], env);
    expect(status.code, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout);
    expect(view).toMatchObject({
      runId: run.runId,
      status: 'RUNNING',
      step: 'Ready',
      requesterId: requester,
    });
    expect(view.leaseSecondsLeft).toBeGreaterThan(0);
    expect(
      view.clones.map((c: { name: string; phase: string; ip: string }) => [c.name, c.phase, c.ip]),
    ).toEqual(run.clones.map((c) => [c.name, 'ready', c.ip]));
    const text = await cli(['status', run.executionArn, ...where], env);
    expect(text.stdout).toContain('lease until');
    for (const c of run.clones) expect(text.stdout).toContain(c.ip);

    const listed = await cli(['list', '--requester', requester, '--output', 'json', ...where], env);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ runId: run.runId, state: 'ready', clones: 2 }]);

    const extended = await cli(['extend', run.runId, '--minutes', '30', ...where], env);
    expect(extended.code, extended.stderr).toBe(0);
    const lease = JSON.parse(extended.stdout);
    expect(Date.parse(lease.leaseExpiresAt)).toBeGreaterThan(Date.parse(run.leaseExpiresAt));
    const after = JSON.parse((await cli(['status', run.runId, '--output', 'json', ...where], env)).stdout);
    expect(after).toMatchObject({ status: 'RUNNING', step: 'Ready', leaseExpiresAt: lease.leaseExpiresAt });

    const released = await cli(['release', run.runId, '--wait', ...where], env);
    expect(released.code, released.stderr).toBe(0);
    expect(JSON.parse(released.stdout)).toMatchObject({
      runId: run.runId,
      released: true,
      status: 'SUCCEEDED',
    });
    await aws.expectNoClonesLeft();

    // Releasing again (an always-run cleanup step after a retry) is harmless; extending an ended run is not possible.
    const again = await cli(['release', run.runId, ...where], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ released: false, status: 'SUCCEEDED' });
    const late = await cli(['extend', run.runId, '--minutes', '5', ...where], env);
    expect(late.code).toBe(4);
  });

  it('prints env, github and dotenv output a shell can use', async () => {
    const got = await cli(
      ['acquire', '--source', 'linux=1', '--lease-minutes', '120', '--output', 'env'],
      aws.env,
    );
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toMatch(/^export INSTANT_CLONE_RUN_ID='[0-9a-f]{12}'$/m);
    const runId = /INSTANT_CLONE_RUN_ID='([0-9a-f]+)'/.exec(got.stdout)?.[1] ?? '';
    const gh = await cli(['status', runId, '--output', 'github'], aws.env);
    expect(gh.stdout).toMatch(new RegExp(`^run-id=${runId}$`, 'm'));
    expect(gh.stdout).toMatch(/^ips=198\.1[89]\.\d+\.\d+$/m);
    // An extension beyond the deployment's maximum lease is granted up to the maximum, and says so.
    const capped = await cli(['extend', runId, '--minutes', '100000'], aws.env);
    expect(capped.code, capped.stderr).toBe(0);
    const lease = JSON.parse(capped.stdout);
    expect(lease).toMatchObject({ capped: true, leaseExpiresAt: lease.maxLeaseExpiresAt });
    expect(capped.stderr).toContain("capped at the deployment's maximum lease");
    const released = await cli(['release', runId, '--wait'], aws.env);
    expect(released.code, released.stderr).toBe(0);
  });
});

describe('idempotent acquire', { timeout: 300_000 }, () => {
  it('the same key twice reaches one execution, even while the first is still waiting', async () => {
    const key = unique('retry');
    const requester = unique('test/idem');
    const args = [
      'acquire',
      '--source',
      'linux=1',
      '--lease-minutes',
      '120',
      '--key',
      key,
      '--requester',
      requester,
    ];
    const [a, b] = await Promise.all([cli(args, aws.env), cli(args, aws.env)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const first = JSON.parse(a.stdout) as Acquired;
    expect(JSON.parse(b.stdout)).toEqual(first);
    // A third, later retry attaches too.
    const c = await cli(args, aws.env);
    expect(c.stderr).toContain(`attached to run ${first.runId}`);
    expect(JSON.parse(c.stdout)).toEqual(first);
    const listed = JSON.parse(
      (await cli(['list', '--requester', requester, '--output', 'json'], aws.env)).stdout,
    );
    expect(listed).toHaveLength(1);
    // The same key with another request is refused, not a second fleet.
    const other = await cli(
      ['acquire', '--source', 'linux=2', '--lease-minutes', '120', '--key', key, '--requester', requester],
      aws.env,
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('another request');
    expect((await cli(['release', first.runId, '--wait'], aws.env)).code).toBe(0);
    // A retry after the run is over gets no clones, and no new run either.
    const over = await cli(args, aws.env);
    expect(over.code).toBe(4);
    expect(over.stderr).toContain(`run ${first.runId} is over (SUCCEEDED)`);
  });
});

describe('interrupted acquire', { timeout: 300_000 }, () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s while waiting stops the run and its clones are torn down (exit %i)',
    async (signal, code) => {
      let sent = false;
      const got = await cli(['acquire', '--source', 'linux=3', '--lease-minutes', '120'], aws.env, {
        onStderr: (text, child) => {
          if (!sent && text.includes('→ cloning')) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(sent).toBe(true);
      expect(got.code, got.stderr).toBe(code);
      expect(got.stderr).toContain(`${signal}: stopping run`);
      expect(got.stdout).toBe('');
      const runId = /run ([0-9a-f]{12})/.exec(got.stderr)?.[1] ?? '';
      const status = JSON.parse((await cli(['status', runId, '--output', 'json'], aws.env)).stdout);
      expect(status.status).toBe('ABORTED');
      await aws.expectNoClonesLeft();
    },
  );
});

describe('a run that does not get ready in time, or is released before', { timeout: 300_000 }, () => {
  /**
   * With DHCP down no clone gets an IP, so the run is certainly still before Ready; the IP waits under way end
   * after ipTimeoutSeconds, then the endpoint removes the stopped run's clones.
   */
  async function withDhcpDown<T>(work: (request: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'ic-nodhcp-'));
    const request = join(dir, 'request.json');
    writeFileSync(
      request,
      JSON.stringify({ ipTimeoutSeconds: 20, sources: [{ source: 'linux', count: 2 }] }),
    );
    await aws.simControl({ action: 'setDhcp', mode: 'down' });
    try {
      return await work(request);
    } finally {
      await aws.simControl({ action: 'setDhcp', mode: 'up' });
    }
  }

  it('--timeout stops the run and exits 3', async () => {
    const got = await withDhcpDown((request) =>
      cli(['acquire', '--request', request, '--lease-minutes', '120', '--timeout', '3'], aws.env),
    );
    expect(got.code, got.stderr).toBe(3);
    expect(got.stderr).toContain('timed out: stopping run');
    await aws.expectNoClonesLeft();
  });

  it('release before Ready stops the run; the waiting acquire exits 1 naming why', async () => {
    let release: Promise<Awaited<ReturnType<typeof cli>>> | undefined;
    const got = await withDhcpDown((request) =>
      cli(['acquire', '--request', request, '--lease-minutes', '120'], aws.env, {
        onStderr: (text) => {
          const runId = /started run ([0-9a-f]{12})/.exec(text)?.[1];
          if (runId && !release && text.includes('→ IP')) release = cli(['release', runId], aws.env);
        },
      }),
    );
    const released = await release;
    expect(released?.code, released?.stderr).toBe(0);
    expect(released?.stderr).toContain('stopped before Ready');
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/ABORTED: Released: released before Ready/);
  });
});

describe('a failing run', { timeout: 300_000 }, () => {
  it('exits 1 with the workflow error name on stderr', async () => {
    const got = await cli(['acquire', '--source', 'notFrozen=1', '--lease-minutes', '120'], aws.env);
    expect(got.code).toBe(1);
    expect(got.stderr).toMatch(/FAILED: SourceNotFrozen: .*instantclone\.freeze/);
    expect(got.stdout).toBe('');
  });

  it('a request the workflow rejects fails with InvalidRequest', async () => {
    const got = await cli(['acquire', '--source', 'no-such-source=1', '--lease-minutes', '120'], aws.env);
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('InvalidRequest');
  });
});

describe('fleet', { timeout: 300_000 }, () => {
  it('runs to completion with a smoke command: progress, the per-phase table and the timeline picture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-fleet-'));
    const request = join(dir, 'nightly.json');
    writeFileSync(
      request,
      JSON.stringify({
        requesterId: 'test/nightly',
        namePrefix: 'nightly',
        sources: [
          { source: 'linux', count: 2 },
          { source: 'windows', count: 1 },
        ],
        smokeCommand: 'echo ok',
        leaseMinutes: 60,
      }),
    );
    const svg = join(dir, 'timeline.svg');
    const got = await cli(['fleet', '--request', request, '--svg', svg], aws.env);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toContain('→ smoke command');
    expect(got.stderr).toContain('releasing');
    expect(got.stdout).toContain('SUCCEEDED, 3 of 3 clone(s) ready');
    for (const phase of ['cloning', 'NIC', 'guest refresh', 'IP', 'teardown', 'total (excl. lease)']) {
      expect(got.stdout).toMatch(new RegExp(`^${phase.replace(/[()]/g, '\\$&')}\\s+3\\s`, 'm'));
    }
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*nightly-[0-9a-f]{12}-03[\s\S]*<\/svg>\s*$/);
  });

  it('exits 1 when a clone failed, naming it and its error, though minReady let the run succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-fleet-'));
    const request = join(dir, 'fleet.json');
    writeFileSync(
      request,
      JSON.stringify({ sources: [{ source: 'linux', count: 2 }], minReady: 1, maxConcurrency: 1 }),
    );
    await aws.simControl({
      action: 'injectFault',
      rule: { method: 'InstantClone_Task', fault: 'InsufficientMemoryResourcesFault', count: 1 },
    });
    const got = await cli(['fleet', '--request', request, '--svg', join(dir, 't.svg')], aws.env).finally(() =>
      aws.simControl({ action: 'clearFaults' }),
    );
    expect(got.code, got.stderr).toBe(1);
    expect(got.stdout).toContain('SUCCEEDED, 1 of 2 clone(s) ready');
    expect(got.stderr).toMatch(/clone fleet-[0-9a-f]{12}-01 failed: HostCapacityExceeded/);
  });

  it('exits 1 when the run fails, with the error name (and as JSON with --output json)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-fleet-'));
    const got = await cli(
      ['fleet', '--source', 'notFrozen=1', '--svg', join(dir, 't.svg'), '--output', 'json'],
      aws.env,
    );
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('SourceNotFrozen');
    expect(JSON.parse(got.stdout)).toMatchObject({
      runId: expect.stringMatching(/^[0-9a-f]{12}$/),
      status: 'FAILED',
      error: { name: 'SourceNotFrozen', message: expect.stringContaining('instantclone.freeze') },
      svg: null,
    });
  });
});

describe('usage', { timeout: 300_000 }, () => {
  it.each(['acquire', 'status', 'list', 'extend', 'release', 'fleet'])('%s --help exits 0', async (verb) => {
    const got = await cli([verb, '--help'], {});
    expect(got.code).toBe(0);
    expect(got.stdout).toContain(`Usage: instant-clone ${verb}`);
    expect(got.stdout).toContain('--endpoint-url');
  });

  it('exit 2 without a state machine, or with a bad flag', async () => {
    const { INSTANT_CLONE_STATE_MACHINE_ARN: _, ...env } = aws.env;
    const none = await cli(['list'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('INSTANT_CLONE_STATE_MACHINE_ARN');
    expect((await cli(['acquire', '--source', 'linux=x'], aws.env)).code).toBe(2);
    expect((await cli(['acquire', '--source', 'linux=1', '--output', 'yaml'], aws.env)).code).toBe(2);
    expect((await cli(['status'], aws.env)).code).toBe(2);
  });

  it('exit 5 when the endpoint cannot be reached', async () => {
    const got = await cli(['list', '--endpoint-url', 'http://127.0.0.1:9'], aws.env);
    expect(got.code).toBe(5);
    expect(got.stderr).toContain('ListExecutions');
  });

  it('exit 4 for a run that does not exist', async () => {
    const got = await cli(['status', '0123456789ab'], aws.env);
    expect(got.code).toBe(4);
    expect(got.stderr).toContain('no run');
  });
});
