import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../cdk/app.js';
import { ConfigError, loadConfig, parseConfig } from '../../cdk/config.js';
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

function edit(mutate: (c: any) => void): unknown {
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
    ['vcenter.url', (c: any) => (c.vcenter.url = 'http://vc.example.com/sdk')],
    ['vcenter.url', (c: any) => (c.vcenter.url = 'https://vc.example.com/')],
    ['network.esxiCidrs.0', (c: any) => (c.network.esxiCidrs = ['10.0.0.300/24'])],
    ['network.vcenterCidrs', (c: any) => (c.network.vcenterCidrs = [])],
    [
      'network.vpc.vpn.customerGatewayIp',
      (c: any) => (c.network.vpc.vpn.customerGatewayIp = 'vpn.example.com'),
    ],
    ['network.vpc.vpn.staticRoutes', (c: any) => delete c.network.vpc.vpn.staticRoutes],
    ['sources.ubuntu-22.os', (c: any) => (c.sources['ubuntu-22'].os = 'bsd')],
    ['sources.ubuntu-22.paths.0', (c: any) => (c.sources['ubuntu-22'].paths = ['ubuntu'])],
    ['sources.windows-2022.guestSecret', (c: any) => delete c.sources['windows-2022'].guestSecret],
    ['schedules.nightlyFleet.timeZone', (c: any) => (c.schedules.nightlyFleet.timeZone = 'Mars/Olympus')],
    ['schedules.nightlyFleet.cron', (c: any) => (c.schedules.nightlyFleet.cron = '0 2 * * *')],
    [
      'schedules.nightlyFleet.input.namePrefix',
      (c: any) => (c.schedules.nightlyFleet.input.namePrefix = 'Bad Name'),
    ],
    [
      'schedules.nightlyFleet.input.sources.1.source',
      (c: any) => (c.schedules.nightlyFleet.input.sources[1].source = 'nope'),
    ],
    ['defaults.maxConcurrency', (c: any) => (c.defaults.maxConcurrency = 0)],
    ['vcenter.sercet', (c: any) => (c.vcenter.sercet = 'typo')],
    [
      'env',
      (c: any) =>
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
