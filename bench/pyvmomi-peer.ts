// The pyVmomi peer (test/peers/pyvmomi/instant_clone_workflow.py: clone → reconnect → refresh → IP →
// teardown, one Linux and one Windows clone) against a fresh simulator, its SOAP calls counted by the simulator.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { simulatorContract } from '../local/simulator/contract.js';
import { startSimulator } from '../local/simulator/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../test/peers/pyvmomi/instant_clone_workflow.py', import.meta.url));

export interface PeerFigures {
  ok: boolean;
  error?: string;
  clones: number;
  soapCalls: number;
  soapPerClone: number;
  topMethods: [string, number][];
}

export async function pyvmomiPeer(timeScale: number): Promise<PeerFigures> {
  if (!existsSync(PYTHON))
    return {
      ok: false,
      error: `${PYTHON} not found`,
      clones: 0,
      soapCalls: 0,
      soapPerClone: 0,
      topMethods: [],
    };
  const sim = await startSimulator({ timeScale });
  try {
    const contract = simulatorContract(sim);
    const child = spawn(PYTHON, [SCRIPT], {
      env: { ...process.env, SIM_CONTRACT: JSON.stringify(contract), RUN_ID: 'bench-peer' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.resume();
    await new Promise((resolve) => child.on('close', resolve));
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) || '{}') as {
      ok?: boolean;
      error?: string;
      clones?: unknown[];
    };
    const calls = sim.stats().calls;
    const soapCalls = Object.values(calls).reduce((a, b) => a + b, 0);
    const clones = summary.clones?.length ?? 0;
    return {
      ok: summary.ok === true,
      ...(summary.error ? { error: summary.error } : {}),
      clones,
      soapCalls,
      soapPerClone: clones ? soapCalls / clones : 0,
      topMethods: Object.entries(calls).sort((a, b) => b[1] - a[1]),
    };
  } finally {
    await sim.stop();
  }
}
