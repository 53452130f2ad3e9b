import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { TEST_CONFIG_JSON } from './test-config.js';

describe('parseConfig', () => {
  it('fills defaults', () => {
    const c = parseConfig(TEST_CONFIG_JSON);
    expect(c.defaults).toMatchObject({ maxConcurrency: 4, leaseMinutes: 30, ipTimeoutSeconds: 300 });
  });

  it('names the bad field', () => {
    const bad = JSON.parse(TEST_CONFIG_JSON);
    bad.sources.linux.os = 'solaris';
    expect(() => parseConfig(JSON.stringify(bad))).toThrow(
      /InvalidConfig|WORKFLOW_CONFIG\.sources\.linux\.os/,
    );
    try {
      parseConfig(JSON.stringify(bad));
    } catch (e) {
      expect((e as Error).name).toBe('InvalidConfig');
      expect((e as Error).message).toContain('WORKFLOW_CONFIG.sources.linux.os');
    }
  });

  it('rejects a missing or non-JSON variable', () => {
    expect(() => parseConfig(undefined)).toThrow(/not set/);
    expect(() => parseConfig('{')).toThrow(/not valid JSON/);
  });
});
