import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type AcquiredRun, formatRun, shellQuote } from './output.js';

const run: AcquiredRun = {
  runId: '6e58abfc',
  executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:InstantClone:ic-abc',
  leaseExpiresAt: '2026-11-30T08:00:00.000Z',
  clones: [
    { name: 'ci-6e58abfc-01', ip: '10.20.0.57', os: 'linux', source: 'linux' },
    { name: 'ci-6e58abfc-02', ip: '10.20.0.58', os: 'windows', source: 'win-2022' },
  ],
};

describe('output formats', () => {
  it('json is the documented object', () => {
    expect(JSON.parse(formatRun(run, 'json'))).toEqual(run);
  });

  it('env is eval-able by a POSIX shell, per clone and per source', () => {
    const script = `${formatRun(run, 'env')}\nprintf '%s|%s|%s|%s' "$INSTANT_CLONE_IPS" "$INSTANT_CLONE_1_OS" "$INSTANT_CLONE_IPS_WIN_2022" "$INSTANT_CLONE_RUN_ID"`;
    expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' })).toBe(
      '10.20.0.57 10.20.0.58|windows|10.20.0.58|6e58abfc',
    );
  });

  it('shell quoting survives quotes and $', () => {
    const value = `it's $HOME "x"`;
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' })).toBe(value);
  });

  it('dotenv is KEY=value lines', () => {
    const lines = formatRun(run, 'dotenv').split('\n');
    expect(lines).toContain('INSTANT_CLONE_IPS=10.20.0.57 10.20.0.58');
    expect(lines).toContain('INSTANT_CLONE_0_NAME=ci-6e58abfc-01');
    expect(lines.every((l) => /^[A-Z0-9_]+=/.test(l))).toBe(true);
  });

  it('github is step outputs with the clones as JSON', () => {
    const lines = formatRun(run, 'github').split('\n');
    expect(lines).toContain('run-id=6e58abfc');
    expect(lines).toContain('ips-win-2022=10.20.0.58');
    const clones = lines.find((l) => l.startsWith('clones='));
    expect(JSON.parse(clones?.slice('clones='.length) ?? '')).toEqual(run.clones);
  });
});
