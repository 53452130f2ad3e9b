import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cdk/app.js';
import { ConfigError, loadConfig, parseConfig } from '../../cdk/config.js';
import type { Json } from './helpers.js';
import { EXAMPLE_CONFIG, exampleConfig, writeConfig } from './helpers.js';

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('config was accepted');
}

function edit(mutate: (c: Json) => void): unknown {
  const c = exampleConfig();
  mutate(c);
  return c;
}

describe('deployment config', () => {
  it('accepts the documented example and fills defaults', () => {
    const config = loadConfig(EXAMPLE_CONFIG, REPO_ROOT);
    expect(config.network.vpc.mode).toBe('new');
    expect(config.schedules.reaper.rateMinutes).toBe(30);
    expect(Object.keys(config.sources)).toEqual(['ubuntu-22', 'windows-2022']);
  });

  it.each([
    ['vcenter.url', (c: Json) => (c.vcenter.url = 'http://vc.example.com/sdk')],
    ['vcenter.url', (c: Json) => (c.vcenter.url = 'https://vc.example.com/')],
    ['network.esxiCidrs.0', (c: Json) => (c.network.esxiCidrs = ['10.0.0.300/24'])],
    ['network.vcenterCidrs', (c: Json) => (c.network.vcenterCidrs = [])],
    [
      'network.vpc.vpn.customerGatewayIp',
      (c: Json) => (c.network.vpc.vpn.customerGatewayIp = 'vpn.example.com'),
    ],
    ['network.vpc.vpn.staticRoutes', (c: Json) => delete c.network.vpc.vpn.staticRoutes],
    ['sources.ubuntu-22.os', (c: Json) => (c.sources['ubuntu-22'].os = 'bsd')],
    ['sources.ubuntu-22.paths.0', (c: Json) => (c.sources['ubuntu-22'].paths = ['ubuntu'])],
    ['sources.windows-2022.guestSecret', (c: Json) => delete c.sources['windows-2022'].guestSecret],
    ['schedules.nightlyFleet.timeZone', (c: Json) => (c.schedules.nightlyFleet.timeZone = 'Mars/Olympus')],
    ['schedules.nightlyFleet.cron', (c: Json) => (c.schedules.nightlyFleet.cron = '0 2 * * *')],
    [
      'schedules.nightlyFleet.input.namePrefix',
      (c: Json) => (c.schedules.nightlyFleet.input.namePrefix = 'Bad Name'),
    ],
    [
      'schedules.nightlyFleet.input.sources.1.source',
      (c: Json) => (c.schedules.nightlyFleet.input.sources[1].source = 'nope'),
    ],
    ['defaults.maxConcurrency', (c: Json) => (c.defaults.maxConcurrency = 0)],
    [
      'network.endpoints.services',
      (c: Json) => (c.network.endpoints = { mode: 'create', services: ['secretsmanager', 'events'] }),
    ],
    ['vcenter.sercet', (c: Json) => (c.vcenter.sercet = 'typo')],
    [
      'env',
      (c: Json) =>
        (c.network.vpc = { mode: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetGroupName: 'Private' }),
    ],
  ])('names the bad field %s', (field, mutate) => {
    expect(errorOf(edit(mutate))).toContain(field);
  });

  it('fails when the CA bundle path holds no certificate', () => {
    const path = writeConfig(edit((c) => (c.vcenter.caBundlePath = 'package.json')));
    expect(() => loadConfig(path, REPO_ROOT)).toThrow(/vcenter\.caBundlePath: no PEM certificate/);
  });

  it('fails on a missing file and on broken JSON with the path', () => {
    expect(() => loadConfig('nope.json', REPO_ROOT)).toThrow(/not found/);
    expect(() => loadConfig('README.md', REPO_ROOT)).toThrow(/not valid JSON/);
  });
});
