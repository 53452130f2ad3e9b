// `npm start`'s flags are refused with a usage error (exit 2) naming the flag, before the simulator starts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start flags', () => {
  it.each([
    [['--time-scale', '0'], "--time-scale must be a number above 0, got '0'"],
    [['--time-scale', 'fast'], "--time-scale must be a number above 0, got 'fast'"],
    [['--hold-seconds', 'soon'], "--hold-seconds must be a number of 0 or more, got 'soon'"],
  ])('%j → exit 2 naming the flag', (args, message) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'local/runner/start.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).not.toContain('vCenter simulator at');
  });
});
