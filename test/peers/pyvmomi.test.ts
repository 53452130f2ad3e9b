// VMware's pyVmomi (Debian python3-pyvmomi) drives our simulator through the whole workflow.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorContract } from '../../local/simulator/contract.js';
import { type RunningSimulator, startSimulator } from '../../local/simulator/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pyvmomi/instant_clone_workflow.py', import.meta.url));
const CI = process.env.CI === 'true';

function peerMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import pyVmomi, pyVim.connect'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `pyVmomi not importable: ${r.stderr.trim()}`;
}

const missing = peerMissing();
if (missing && !CI) console.warn(`skipping pyVmomi peer test: ${missing} (install python3-pyvmomi)`);

describe.skipIf(!!missing && !CI)('pyVmomi peer', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.01 });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('is installed (required in CI)', () => {
    expect(missing, 'the pyVmomi peer is required in CI').toBeUndefined();
  });

  it('runs the frozen-source workflow for Linux and Windows', async () => {
    const contract = simulatorContract(sim);
    const { spawn } = await import('node:child_process');
    const child = spawn(PYTHON, [SCRIPT], {
      env: { ...process.env, SIM_CONTRACT: JSON.stringify(contract), RUN_ID: 'peer' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const last = stdout.trim().split('\n').at(-1) ?? '{}';
    const summary = JSON.parse(last) as {
      ok: boolean;
      error?: string;
      negotiated: string;
      clones: { os: string; ip: string; sourceIp: string; mac: string }[];
      checks: { check: string; ok: boolean }[];
    };
    expect(summary.error, stderr).toBeUndefined();
    expect(code).toBe(0);
    expect(summary.ok).toBe(true);
    expect(summary.negotiated).toMatch(/urn:vim25\/(6\.7|7)/);
    expect(summary.clones.map((c) => c.os)).toEqual(['linux', 'windows']);
    for (const c of summary.clones) {
      expect(c.ip).not.toBe(c.sourceIp);
      expect(c.ip).not.toMatch(/^169\.254\./);
    }
    expect(summary.checks.every((c) => c.ok)).toBe(true);
    expect(sim.clones()).toEqual([]);
    expect(sim.stats().maxConcurrent.InstantClone_Task).toBeGreaterThanOrEqual(1);
    expect(sim.stats().leases.map((l) => l.ip)).toEqual(summary.clones.map((c) => c.ip));
  }, 120_000);
});
