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

  it('every event-pattern rule matches only documented detail-types that pipelines send', () => {
    const patterns = rules.filter((r) => r.Properties.EventPattern !== undefined);
    expect(patterns.length).toBeGreaterThan(0);
    const matched = patterns.flatMap((r) => r.Properties.EventPattern?.['detail-type'] ?? []);
    for (const detailType of matched) expect(eventByDetailType(detailType)?.direction, detailType).toBe('in');
    const inbound = Object.values(EVENTS)
      .filter((e) => e.direction === 'in')
      .map((e) => e.detailType);
    expect([...matched].sort()).toEqual([...inbound].sort());
  });

  it('no rule filters on source (docs/events.md: pipelines may send from any source)', () => {
    for (const r of rules) expect(r.Properties.EventPattern?.source).toBeUndefined();
  });

  it('the deployed patterns are the shared ones the local endpoint routes with (cdk/event-patterns.ts)', () => {
    const deployed = rules
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
