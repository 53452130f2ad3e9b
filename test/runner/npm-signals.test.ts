// Signals reach the program through the PID a user holds: `npm run sim & kill $!` and `npm start` stopped by
// SIGINT or SIGTERM (CI cancel, `timeout`) stop the program behind npm, and npm start tears its clones down.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function npm(args: string[], extra: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_TTY: '1', ...extra };
  for (const key of ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV', 'VERBOSE']) {
    delete env[key];
  }
  return spawn('npm', args, { cwd: ROOT, env });
}

function output(child: ChildProcessWithoutNullStreams): { text: string; exited: Promise<number | null> } {
  const out = { text: '', exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
  child.stdout.on('data', (d: Buffer) => {
    out.text += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.text += d.toString();
  });
  return out;
}

async function until(check: () => boolean, what: string, out: { text: string }): Promise<void> {
  for (let i = 0; i < 1200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error(`timed out waiting for ${what}:\n${out.text}`);
}

/** True while something still answers HTTPS on the URL's port. */
function listening(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, { method: 'GET', rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(true);
    });
    req.end();
  });
}

describe('signals to the PID npm gives the user', { timeout: 120_000 }, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'npm run sim, then %s to npm: the simulator stops',
    async (signal) => {
      const child = npm(['run', 'sim', '--', '--port', '0']);
      const out = output(child);
      await until(() => out.text.includes('"url"'), 'the contract line', out);
      const url = (JSON.parse(out.text.split('\n')[0] as string) as { url: string }).url;
      expect(await listening(url)).toBe(true);
      child.kill(signal);
      await out.exited;
      await until(() => out.text.includes(`${signal}: stopping simulator`), 'the simulator to stop', out);
      expect(await listening(url)).toBe(false);
    },
  );

  it('npm start, then SIGTERM to npm: the run is aborted, its clones torn down, the simulator stopped', async () => {
    const child = npm(['start']);
    const out = output(child);
    await until(() => (out.text.match(/→ NIC/g) ?? []).length >= 1, 'a clone', out);
    const url = /vCenter simulator at (\S+)/.exec(out.text)?.[1] as string;
    child.kill('SIGTERM');
    expect(await out.exited).toBe(1);
    expect(out.text).toContain('SIGTERM: aborting the run');
    expect(out.text).toMatch(/torn down after the run ended: demo-/);
    expect(out.text).toContain('clones left in the simulator: 0');
    expect(out.text).not.toContain('LEFT in the simulator');
    expect(out.text).not.toMatch(/^\s*\{/m);
    expect(await listening(url)).toBe(false);
  });

  describe('npm run runner against a vCenter', () => {
    let sim: RunningSimulator;
    beforeAll(async () => {
      sim = await startSimulator({ timeScale: 0.05 });
    });
    afterAll(() => sim.stop());

    it('SIGINT to npm: the run is aborted and its clones torn down', async () => {
      const child = npm(
        [
          ...['run', 'runner', '--', '--url', sim.url, '--username', sim.username, '--insecure'],
          ...[
            '--source',
            `linux=${sim.sources.linux},os=linux`,
            '--guest-user',
            'linux=root',
            '--count',
            'linux=2',
          ],
        ],
        { VSPHERE_PASSWORD: sim.password, GUEST_PASSWORD: sim.guest.linux.password },
      );
      const out = output(child);
      await until(() => (out.text.match(/→ NIC/g) ?? []).length >= 2, 'both clones', out);
      child.kill('SIGINT');
      expect(await out.exited).toBe(1);
      expect(out.text).toMatch(/torn down after the run ended: local-/);
      expect(sim.clones()).toEqual([]);
    });
  });
});
