// The stack as synthesized from the real ASL (bundling skipped): the bus's resource policy, the grants of the
// functions that put events, and the managed policy a pipeline role attaches for the CLI.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.js';
import { EVENT_SOURCE } from '../../lambdas/workflow/aws-names.js';
import type { Json } from './helpers.js';
import { exampleConfig, writeConfig } from './helpers.js';

function synth(config?: Json): Template {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    outdir: mkdtempSync(join(tmpdir(), 'ic-access-')),
  });
  const configPath = config ? writeConfig(config) : 'cdk/config.example.json';
  return Template.fromStack(buildApp({ app, configPath, nag: false }).stack);
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('pipeline access (real ASL)', () => {
  let t: Template;
  let busPolicy: Json[];
  beforeAll(() => {
    t = synth();
    busPolicy = Object.values(t.findResources('AWS::Events::EventBusPolicy')).map(
      (r) => (r as Json).Properties.Statement,
    );
  });
  const bySid = (sid: string) => busPolicy.find((s) => s.Sid === sid);
  const roleRef = (prefix: RegExp) => (v: Json) => prefix.test(v['Fn::GetAtt']?.[0] ?? '');

  it('only the configured principals and the stack’s publishers may put events on the bus', () => {
    const deny = bySid('cdk-OnlyConfiguredPrincipalsPutEvents');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'events:PutEvents' });
    const allowed = asList(deny.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(allowed).toContain('arn:aws:iam::123456789012:role/ci-pipelines');
    expect(allowed.some(roleRef(/^StateMachineRole/))).toBe(true);
    expect(allowed.some(roleRef(/^AnnounceReadyFunctionRole/))).toBe(true);
    expect(allowed.some(roleRef(/^ReaperFunctionRole/))).toBe(true);
    expect(allowed).toHaveLength(4);
  });

  it(`only the stack’s own roles may put events with source "${EVENT_SOURCE}"`, () => {
    const deny = bySid('cdk-OnlyTheStackPutsItsOwnSource');
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'events:source': EVENT_SOURCE } },
    });
    const publishers = asList(deny.Condition.ArnNotEquals['aws:PrincipalArn']);
    expect(publishers).toHaveLength(3);
    expect(publishers.every((p: Json) => /Role/.test(p['Fn::GetAtt']?.[0]))).toBe(true);
    // A principal of another account, configured by account id, gets an Allow (it has no IAM in ours).
    const other = synth({ ...exampleConfig(), eventBus: { putEventsPrincipals: ['444455556666'] } });
    const statements = Object.values(other.findResources('AWS::Events::EventBusPolicy')).map(
      (r) => (r as Json).Properties.Statement,
    );
    const allow = statements.find((s) => s.Sid === 'cdk-ConfiguredPipelinesMayPutEvents');
    expect(JSON.stringify(allow.Principal)).toContain('444455556666');
    const onlyThese = statements.find((s) => s.Sid === 'cdk-OnlyConfiguredPrincipalsPutEvents');
    expect(JSON.stringify(onlyThese.Condition)).toContain(':iam::444455556666:*');
  });

  it('AnnounceReady, the state machine and the reaper may put events on the bus, nobody else of ours', () => {
    const putters = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([, r]) =>
        ((r as Json).Properties.PolicyDocument.Statement as Json[]).some((s) =>
          asList(s.Action).includes('events:PutEvents'),
        ),
      )
      .map(([id]) => id.replace(/[A-F0-9]{8}$/, ''))
      .sort();
    expect(putters).toEqual([
      'AnnounceReadyFunctionRoleDefaultPolicy',
      'ReaperFunctionRoleDefaultPolicy',
      'StateMachineRoleDefaultPolicy',
    ]);
  });

  it('a managed policy for pipeline roles: the CLI’s calls on this state machine and its executions only', () => {
    const [policy] = Object.values(t.findResources('AWS::IAM::ManagedPolicy')) as Json[];
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    const actions = statements.flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual([
      'events:PutEvents',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:GetExecutionHistory',
      'states:ListExecutions',
      'states:ListExecutions',
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    // the fan-out's children (ADR 0005): only this state machine's Map Runs and child executions
    const children = statements.filter((s) => /FanOut/.test(s.Sid));
    expect(children.map((s) => s.Action)).toEqual(['states:ListExecutions', 'states:GetExecutionHistory']);
    const [mapRuns, childExecutions] = children.map((s) => JSON.stringify(s.Resource));
    for (const [text, kind] of [
      [mapRuns, ':mapRun:'],
      [childExecutions, ':execution:'],
    ]) {
      expect(text).toContain(kind);
      expect(text).toContain('StateMachine2E01A3A5');
      expect(text?.endsWith('"/*"]]}')).toBe(true);
    }
    for (const s of statements) {
      const text = JSON.stringify(s.Resource);
      expect(
        text === JSON.stringify({ Ref: 'StateMachine2E01A3A5' }) || /:execution:|:mapRun:|Bus/.test(text),
        text,
      ).toBe(true);
    }
  });
});
