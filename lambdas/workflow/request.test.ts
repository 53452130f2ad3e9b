import { describe, expect, it } from 'vitest';
import { EXAMPLE_REQUESTS, parseRequest } from './request.js';
import { testConfig } from './test-config.js';

const config = testConfig();
const base = { requesterId: 'me', namePrefix: 'ci', sources: [{ source: 'linux', count: 2 }] };

function failure(input: unknown): Error {
  try {
    parseRequest(input, config);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected InvalidRequest');
}

describe('parseRequest', () => {
  it('accepts every documented example', () => {
    for (const example of Object.values(EXAMPLE_REQUESTS)) expect(parseRequest(example, config)).toBeTruthy();
  });

  it.each([
    [{ ...base, namePrefix: 'Bad Name' }, 'namePrefix'],
    [{ ...base, sources: [{ source: 'mac', count: 1 }] }, 'sources[0].source: unknown source "mac"'],
    [{ ...base, sources: [{ source: 'linux', count: 0 }] }, 'sources[0].count'],
    [{ ...base, minReady: 3 }, 'minReady'],
    [{ ...base, leaseMinute: 3 }, 'leaseMinute'],
    [{ ...base, leaseMinutes: 10_000 }, 'leaseMinutes'],
    [
      { ...base, staticIps: { addresses: ['10.0.0.5'], prefixLength: 24, gateway: '10.0.0.1' } },
      'staticIps.addresses',
    ],
    [
      { ...base, staticIps: { addresses: ['10.0.0.x'], prefixLength: 24, gateway: '10.0.0.1' } },
      'staticIps.addresses[0]',
    ],
    [{ namePrefix: 'ci', sources: [] }, 'requesterId'],
    // The Reaper looks only in the clone folders (default: the sources' folders), so clones may go only there.
    [{ ...base, folder: '/DC/vm/elsewhere' }, 'folder: "/DC/vm/elsewhere" is not a clone folder'],
  ])('rejects %j naming %s', (input, field) => {
    const e = failure(input);
    expect(e.name).toBe('InvalidRequest');
    expect(e.message).toContain(field);
  });

  it("accepts a folder that is one of the deployment's clone folders", () => {
    expect(parseRequest({ ...base, folder: '/DC/vm/src' }, config).folder).toBe('/DC/vm/src');
  });
});
