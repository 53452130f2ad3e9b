import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './args.js';
import { UsageError } from './exit-codes.js';
import { buildRequest, parseSourceFlag } from './request.js';

const defaults = { requesterId: 'dev@box', namePrefix: 'ci' };

describe('the request from flags', () => {
  it('--source NAME=COUNT, repeatable, with defaults for requester and prefix', () => {
    expect(buildRequest({ source: ['linux=2', 'windows'], 'lease-minutes': 30 }, defaults)).toEqual({
      sources: [
        { source: 'linux', count: 2 },
        { source: 'windows', count: 1 },
      ],
      leaseMinutes: 30,
      requesterId: 'dev@box',
      namePrefix: 'ci',
    });
  });

  it('--request FILE, with flags over its fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-request-'));
    const file = join(dir, 'r.json');
    writeFileSync(
      file,
      JSON.stringify({ namePrefix: 'nightly', sources: [{ source: 'linux', count: 5 }], maxConcurrency: 3 }),
    );
    expect(buildRequest({ request: file, requester: 'me' }, defaults)).toEqual({
      namePrefix: 'nightly',
      sources: [{ source: 'linux', count: 5 }],
      maxConcurrency: 3,
      requesterId: 'me',
    });
  });

  it.each(['linux=0', 'linux=two', '=2', ''])('refuses --source %j', (value) => {
    expect(() => parseSourceFlag(value)).toThrow(UsageError);
  });

  it('needs sources', () => {
    expect(() => buildRequest({}, defaults)).toThrow(/--source NAME=COUNT/);
  });

  it('reads durations', () => {
    expect(parseDuration('--timeout', '90')).toBe(90);
    expect(parseDuration('--timeout', '15m')).toBe(900);
    expect(parseDuration('--timeout', '2h')).toBe(7200);
    expect(() => parseDuration('--timeout', 'soon')).toThrow(UsageError);
  });
});
