// Stopping the local CLI against a vCenter: SIGINT and SIGTERM both abort the run and tear down every clone it
// made (no Step Functions catch and no Reaper stand behind a laptop run); a second signal says what is left and
// does not cut the teardown short.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function startCli(sim: RunningSimulator, extra: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  // The CLI's own defaults decide about logging, not the test runner's settings.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV', 'VERBOSE']) {
    delete env[key];
  }
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/runner/cli.ts',
      ...['--url', sim.url, '--username', sim.username, '--insecure'],
      ...[
        '--source',
        `linux=${sim.sources.linux},os=linux`,
        '--guest-user',
        'linux=root',
        '--count',
        'linux=2',
      ],
    ],
    {
      cwd: ROOT,
      env: { ...env, VSPHERE_PASSWORD: sim.password, GUEST_PASSWORD: sim.guest.linux.password, ...extra },
    },
  );
}

/** Resolves once both clones exist (both past cloning), with the output so far. */
function clonesMade(
  child: ChildProcessWithoutNullStreams,
  output: { text: string; errors?: string },
): Promise<void> {
  output.errors = '';
  child.stderr.on('data', (d: Buffer) => {
    output.errors += d.toString();
  });
  return new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output.text += d.toString();
      if ((output.text.match(/→ NIC/g) ?? []).length >= 2) resolve();
    });
    child.once('exit', () =>
      reject(new Error(`CLI exited before cloning:\n${output.text}\n${output.errors}`)),
    );
  });
}

describe('interrupting the local CLI', { timeout: 120_000 }, () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.05 });
  });
  afterAll(() => sim.stop());

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s aborts the run and tears down the clones it had made',
    async (signal) => {
      const child = startCli(sim);
      const out: { text: string; errors?: string } = { text: '' };
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await clonesMade(child, out);
      expect(sim.clones()).toHaveLength(2);
      child.kill(signal);
      expect(await exited).toBe(1);
      expect(out.text).toContain(`${signal}: aborting the run`);
      expect(out.text).toMatch(/torn down after the run ended: local-[\w-]+-01, local-[\w-]+-02/);
      expect(sim.clones()).toEqual([]);
      // Quiet by default: no handler log or EMF metric line in the progress output.
      expect(out.text).not.toMatch(/^\s*\{/m);
      expect(out.errors).not.toMatch(/^\s*\{/m);
    },
  );

  it('a second signal says what is left and the teardown goes on', async () => {
    // Slow teardowns, so that the second signal arrives while clones are still there.
    const child = startCli(sim);
    const out = { text: '' };
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await clonesMade(child, out);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(out.text).toContain('SIGTERM again:');
    expect(out.text).toContain('Not exiting before the teardown is done');
    expect(out.text).toContain('torn down after the run ended');
    expect(sim.clones()).toEqual([]);
  });

  it("VERBOSE=1 shows the handlers' logs", async () => {
    const child = startCli(sim, { VERBOSE: '1' });
    const out: { text: string; errors?: string } = { text: '' };
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await clonesMade(child, out);
    child.kill('SIGTERM');
    await exited;
    expect(`${out.text}${out.errors}`).toMatch(/"level": "WARN"/);
    expect(sim.clones()).toEqual([]);
  });
});
