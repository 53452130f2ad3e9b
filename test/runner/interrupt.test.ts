// Ctrl-C on the local CLI against a vCenter: the run is aborted and every clone it made is torn down, since no
// Step Functions catch and no Reaper stand behind a laptop run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('interrupting the local CLI', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.05 });
  });
  afterAll(() => sim.stop());

  it('aborts the run and tears down the clones it had made', async () => {
    const child = spawn(
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
        env: { ...process.env, VSPHERE_PASSWORD: sim.password, GUEST_PASSWORD: sim.guest.linux.password },
      },
    );
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Both clones exist once both are past cloning.
        if ((out.match(/→ NIC/g) ?? []).length >= 2) resolve();
      });
      child.once('exit', () => reject(new Error(`CLI exited before cloning:\n${out}`)));
    });
    expect(sim.clones()).toHaveLength(2);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(out).toContain('torn down after the interrupt');
    expect(sim.clones()).toEqual([]);
  });
});
