// The stack's EventBridge rules (real ASL and handlers, bundling skipped) match the documented inbound
// detail-types, on fields the documented details have.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.js';
import { DETAIL_TYPES, EVENTS, eventByDetailType, releaseDetail } from '../../lambdas/workflow/events.js';

interface Rule {
  Properties: {
    EventBusName?: unknown;
    EventPattern?: { 'detail-type'?: string[]; source?: string[]; detail?: Record<string, unknown> };
    ScheduleExpression?: string;
    Targets?: { InputPath?: string; Input?: string; Arn: unknown }[];
  };
}

describe('CDK rules vs the documented events', () => {
  let rules: Rule[];
  beforeAll(() => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      outdir: mkdtempSync(join(tmpdir(), 'ic-events-')),
    });
    const { stack } = buildApp({ app, configPath: 'cdk/config.example.json', nag: false });
    rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as Rule[];
  });

  /** Rules on the stack's own bus (pipeline events); the default bus carries the AWS service events. */
  const onOurBus = () => rules.filter((r) => r.Properties.EventBusName !== undefined);

  it('every event-pattern rule on our bus matches only documented detail-types that pipelines send', () => {
    const patterns = onOurBus().filter((r) => r.Properties.EventPattern !== undefined);
    expect(patterns.length).toBeGreaterThan(0);
    const matched = patterns.flatMap((r) => r.Properties.EventPattern?.['detail-type'] ?? []);
    for (const detailType of matched) expect(eventByDetailType(detailType)?.direction, detailType).toBe('in');
    const inbound = Object.values(EVENTS)
      .filter((e) => e.direction === 'in')
      .map((e) => e.detailType);
    expect([...matched].sort()).toEqual([...inbound].sort());
  });

  it('no rule on our bus filters on source (docs/events.md: pipelines may send from any source)', () => {
    for (const r of onOurBus()) expect(r.Properties.EventPattern?.source).toBeUndefined();
  });

  it('an execution that ends ABORTED, TIMED_OUT or FAILED invokes the run-scoped teardown at once', () => {
    const ended = rules.filter((r) => r.Properties.EventPattern?.source?.includes('aws.states'));
    expect(ended).toHaveLength(1);
    const rule = ended[0] as Rule;
    // Step Functions sends its status changes to the account's default bus.
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern?.['detail-type']).toEqual(['Step Functions Execution Status Change']);
    const detail = rule.Properties.EventPattern?.detail as { status: string[]; stateMachineArn: unknown[] };
    expect([...detail.status].sort()).toEqual(['ABORTED', 'FAILED', 'TIMED_OUT']);
    // Only this stack's state machine: another deployment's executions are not ours to tear down.
    expect(JSON.stringify(detail.stateMachineArn)).toContain('StateMachine');
    const target = JSON.stringify(rule.Properties.Targets);
    expect(target).toContain('TeardownRunFunction');
    expect(target).toContain('DeadLetterConfig');
  });

  it('Requested starts an execution with the detail (the request) and its sender (for request policies)', () => {
    const rule = rules.find((r) =>
      r.Properties.EventPattern?.['detail-type']?.includes(DETAIL_TYPES.requested),
    );
    expect(rule?.Properties.EventPattern?.detail).toBeUndefined();
    const target = rule?.Properties.Targets?.[0] as {
      InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
    };
    expect(target.InputTransformer?.InputPathsMap.detail).toBe('$.detail');
    const filled = (target.InputTransformer?.InputTemplate ?? '')
      .replace('<detail>', JSON.stringify({ requesterId: 'r' }))
      .replace('<account>', '"111122223333"')
      .replace('<source>', '"acme.ci"');
    expect(JSON.parse(filled)).toEqual({
      request: { requesterId: 'r' },
      principal: { account: '111122223333', source: 'acme.ci' },
    });
  });

  it('Release matches on detail fields the documented Release detail requires', () => {
    const rule = rules.find((r) =>
      r.Properties.EventPattern?.['detail-type']?.includes(DETAIL_TYPES.release),
    );
    const fields = Object.keys(rule?.Properties.EventPattern?.detail ?? {});
    expect(fields.length).toBeGreaterThan(0);
    const required = Object.entries(releaseDetail.shape)
      .filter(([, s]) => !s.safeParse(undefined).success)
      .map(([k]) => k);
    for (const field of fields) expect(required).toContain(field);
    // The whole event goes to the release Lambda, which reads event.detail.
    expect(rule?.Properties.Targets?.map((t) => t.InputPath ?? t.Input)).toEqual([undefined]);
  });
});
