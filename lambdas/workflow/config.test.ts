import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig as parseDeployConfig } from '../../cdk/config.js';
import { parseConfig } from './config.js';
import { TEST_CONFIG_JSON } from './test-config.js';

describe('parseConfig', () => {
  it('fills defaults', () => {
    const c = parseConfig(TEST_CONFIG_JSON);
    expect(c.defaults).toMatchObject({ maxConcurrency: 4, leaseMinutes: 30, ipTimeoutSeconds: 180 });
  });

  it('has the same defaults as the deployment config when neither sets any (one schema for both)', () => {
    const handlers = parseConfig(JSON.stringify({ ...JSON.parse(TEST_CONFIG_JSON), defaults: {} })).defaults;
    const example = JSON.parse(readFileSync('cdk/config.example.json', 'utf8'));
    delete example.defaults;
    expect(parseDeployConfig(example).defaults).toEqual(handlers);
    expect(handlers).toMatchObject({ maxConcurrency: 5, ipTimeoutSeconds: 180 });
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

  it('placement defaults: half a source’s memory per clone, 10 % headroom; a fraction above 1 is refused', () => {
    expect(parseConfig(TEST_CONFIG_JSON).defaults).toMatchObject({
      cloneMemoryFraction: 0.5,
      hostMemoryHeadroomPercent: 10,
    });
    const bad = JSON.parse(TEST_CONFIG_JSON);
    bad.defaults.cloneMemoryFraction = 1.5;
    expect(() => parseConfig(JSON.stringify(bad))).toThrow(/WORKFLOW_CONFIG\.defaults\.cloneMemoryFraction/);
  });

  it('rejects a missing or non-JSON variable', () => {
    expect(() => parseConfig(undefined)).toThrow(/not set/);
    expect(() => parseConfig('{')).toThrow(/not valid JSON/);
  });
});
