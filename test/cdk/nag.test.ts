import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Json } from './helpers.js';
import { exampleConfig, synthFixture, writeConfig } from './helpers.js';

describe('cdk-nag AwsSolutions', () => {
  it('the example config synthesizes with no unacknowledged finding', () => {
    const { app } = synthFixture({ nag: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('an existing-VPC config with a CA and an alarm topic is clean too', () => {
    const config = exampleConfig() as Json;
    config.env = { account: '111122223333', region: 'eu-central-1' };
    config.network.vpc = { mode: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetGroupName: 'Private' };
    config.vcenter.caBundlePath = 'test/fixtures/cdk/vcenter-ca.pem';
    config.observability = { alarmTopicArn: 'arn:aws:sns:eu-central-1:111122223333:ops' };
    delete config.schedules.nightlyFleet;
    const { app } = synthFixture({ nag: true, configPath: writeConfig(config) });
    expect(() => app.synth()).not.toThrow();
  });

  it('really runs: an unacknowledged finding fails synth', async () => {
    const { App, Stack, Validations } = await import('aws-cdk-lib');
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    const { AwsSolutionsChecks } = await import('cdk-nag');
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ic-nag-')) });
    new Queue(new Stack(app, 'Canary'), 'Plain');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
