import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp, REPO_ROOT } from '../../cdk/app.js';
import { ASL_PATH, kebab, placeholdersOf, readAsl } from '../../cdk/asl.js';
import { handlerNeeds } from '../../cdk/handler-needs.js';
import { RUN_TIMES_KEY_PREFIX } from '../../lambdas/workflow/run-time-keys.js';
import { EXAMPLE_CONFIG, FIXTURE_ASL } from './helpers.js';

describe('ASL → functions', () => {
  it('maps each <PascalState>FunctionArn placeholder to lambdas/<kebab-state>/handler.ts and reads Task timeouts', () => {
    expect(kebab('WaitForIp')).toBe('wait-for-ip');
    expect(kebab('VerifySourceFrozen')).toBe('verify-source-frozen');
    const asl = readAsl(REPO_ROOT, FIXTURE_ASL);
    expect(asl.placeholders).toEqual([
      'EventBusName',
      'InstantCloneFunctionArn',
      'TeardownFunctionArn',
      'ValidateRequestFunctionArn',
      'WaitForIpFunctionArn',
    ]);
    expect(asl.functions.find((f) => f.state === 'WaitForIp')).toEqual({
      state: 'WaitForIp',
      placeholder: 'WaitForIpFunctionArn',
      entry: 'lambdas/wait-for-ip/handler.ts',
      taskTimeoutSeconds: 240,
    });
  });

  it('rejects a placeholder that follows neither convention', () => {
    expect(() => readAsl(REPO_ROOT, 'test/fixtures/cdk/bad-placeholder.asl.json')).toThrow(
      /\$\{VcenterUrl\}/,
    );
  });
});

// The real workflow (statemachines/instant-clone.asl.json, written by the workflow issue).
const real = existsSync(join(REPO_ROOT, ASL_PATH)) ? readAsl(REPO_ROOT) : undefined;
const missing =
  real?.functions.filter((f) => !existsSync(join(REPO_ROOT, f.entry))).map((f) => f.entry) ?? [];

describe('the real ASL', () => {
  it('exists and every function placeholder has its handler', () => {
    expect(real, `${ASL_PATH} is missing`).toBeDefined();
    expect(missing).toEqual([]);
  });

  it.skipIf(real === undefined || missing.length > 0)(
    'its placeholder set equals the substitution keys, guest secrets go where needs.ts declares guest, cdk-nag clean',
    () => {
      const app = new App({
        context: { 'aws:cdk:bundling-stacks': [] },
        outdir: mkdtempSync(join(tmpdir(), 'ic-real-')),
      });
      const { stack } = buildApp({ app, configPath: EXAMPLE_CONFIG, nag: true });
      const template = Template.fromStack(stack);
      const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
      const keys = Object.keys(sm?.Properties.DefinitionSubstitutions).sort();
      expect(placeholdersOf(sm?.Properties.DefinitionString)).toEqual(keys);
      expect(keys).toEqual(real?.placeholders);

      const guestHandlers = (real?.functions ?? [])
        .filter((f) => handlerNeeds(REPO_ROOT, f.entry).guest)
        .map((f) => f.state);
      expect(guestHandlers.sort()).toEqual(['RefreshGuestNetwork', 'RunSmokeCommand']);
      const guestPolicies = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) =>
        JSON.stringify(template.toJSON().Resources[id]).includes('instant-clone/guest/'),
      );
      expect(guestPolicies.map((id) => id.replace(/Function.*$/, '')).sort()).toEqual(guestHandlers.sort());

      // the permit table: the handlers that take permits may put and delete them, the two that reserve and give
      // back a requester's clones may get and put; nobody else touches it
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      const tableActions = Object.fromEntries(
        Object.entries(template.findResources('AWS::IAM::Policy'))
          .filter(([, r]) => JSON.stringify(r).includes('dynamodb:'))
          .map(([id, r]) => [
            id.replace(/Function.*$/, ''),
            (r.Properties.PolicyDocument.Statement as { Action: unknown }[])
              .filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))
              .map((s) => s.Action),
          ]),
      );
      const permits = ['dynamodb:PutItem', 'dynamodb:DeleteItem'];
      const holdings = ['dynamodb:GetItem', 'dynamodb:PutItem'];
      const runTimes = ['dynamodb:Query', 'dynamodb:UpdateItem'];
      expect(tableActions).toEqual({
        InstantClone: [permits, runTimes],
        ReconnectNic: [permits, runTimes],
        RefreshGuestNetwork: [permits, runTimes],
        RunSmokeCommand: [permits, runTimes],
        Teardown: [permits, runTimes],
        SetLease: [runTimes],
        Reaper: [runTimes],
        TeardownRun: [runTimes],
        ReserveQuota: [holdings],
        FinishRun: [holdings],
      });
      // the learned run times' grant reaches only their own items (ADR 0009), never a permit or a holding
      const runTimeStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((r) =>
        (r.Properties.PolicyDocument.Statement as { Action: unknown; Condition?: unknown }[]).filter(
          (s) => JSON.stringify(s.Action) === JSON.stringify(runTimes),
        ),
      );
      expect(runTimeStatements).toHaveLength(8);
      for (const s of runTimeStatements)
        expect(s.Condition).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RUN_TIMES_KEY_PREFIX}*`] },
        });

      expect(() => app.synth()).not.toThrow();
    },
  );
});
