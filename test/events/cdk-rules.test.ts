// The stack's EventBridge rules (real ASL and handlers, bundling skipped) match the documented inbound
// detail-types, on fields the documented details have.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.js';
import { RELEASE_PATTERN, REQUESTED_PATTERN } from '../../cdk/event-patterns.js';
import { EVENTS, eventByDetailType } from '../../lambdas/workflow/event-registry.js';
import { DETAIL_TYPES, releaseDetail } from '../../lambdas/workflow/events.js';

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

  it('the deployed patterns are the shared ones the local endpoint routes with (cdk/event-patterns.ts)', () => {
    const deployed = onOurBus()
      .map((r) => r.Properties.EventPattern)
      .filter((p) => p !== undefined)
      .map((p) => JSON.stringify(p))
      .sort();
    const shared = [REQUESTED_PATTERN, RELEASE_PATTERN]
      .map(({ detailType, ...rest }) => JSON.stringify({ ...rest, 'detail-type': detailType }))
      .sort();
    expect(deployed).toEqual(shared);
  });

  it('Requested and Release hand the whole event to their function (the start function needs the event id)', () => {
    for (const detailType of [DETAIL_TYPES.requested, DETAIL_TYPES.release]) {
      const rule = rules.find((r) => r.Properties.EventPattern?.['detail-type']?.includes(detailType));
      expect(rule?.Properties.Targets?.map((t) => t.InputPath ?? t.Input)).toEqual([undefined]);
    }
  });

  it('Release matches on detail-type only: the documented detail needs runId or executionArn, which the function checks', () => {
    const rule = rules.find((r) =>
      r.Properties.EventPattern?.['detail-type']?.includes(DETAIL_TYPES.release),
    );
    expect(rule?.Properties.EventPattern?.detail).toBeUndefined();
    expect(releaseDetail.safeParse({}).success).toBe(false);
    expect(releaseDetail.safeParse({ runId: '0123456789ab' }).success).toBe(true);
  });
});
