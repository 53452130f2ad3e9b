import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../lambdas/workflow/errors.js';
import {
  ASL_PATH,
  errorNamesIn,
  functionPlaceholders,
  placeholdersIn,
  readAslText,
} from '../statemachines/placeholders.js';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errors: unknown[] };

const root = join(import.meta.dirname, '..');
const text = readAslText();
const definition = JSON.parse(text) as Record<string, unknown>;

type State = Record<string, unknown>;
function allStates(machine: unknown, out: [string, State][] = []): [string, State][] {
  for (const [name, s] of Object.entries((machine as { States?: Record<string, State> }).States ?? {})) {
    out.push([name, s]);
    if (s.ItemProcessor) allStates(s.ItemProcessor, out);
  }
  return out;
}
const states = allStates(definition);
const tasks = states.filter(([, s]) => s.Type === 'Task');
const lambdaTasks = tasks.filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke');

describe(`ASL ${ASL_PATH}`, () => {
  it('passes asl-validator', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('names only errors that exist as classes in lambdas/workflow/errors.ts (besides States.* and Lambda.*)', () => {
    const custom = errorNamesIn(definition).filter(
      (n) => !n.startsWith('States.') && !n.startsWith('Lambda.'),
    );
    expect(custom.length).toBeGreaterThan(0);
    for (const name of custom) expect(ERROR_NAMES).toContain(name);
  });

  it('every placeholder follows ADR 0001 and maps to an existing handler', () => {
    expect(placeholdersIn(text)).toContain('EventBusName');
    const fns = functionPlaceholders(text);
    for (const f of fns) expect(existsSync(join(root, f.handler)), f.handler).toBe(true);
    for (const [name, s] of lambdaTasks) {
      const fn = String((s.Parameters as State).FunctionName);
      expect(fn, name).toMatch(/^\$\{[A-Z]\w*FunctionArn\}$/);
    }
  });

  it('every Task has TimeoutSeconds(Path); every Lambda Task retries Lambda service exceptions last and unwraps Payload', () => {
    for (const [name, s] of tasks) {
      expect(s.TimeoutSeconds ?? s.TimeoutSecondsPath, name).toBeDefined();
    }
    for (const [name, s] of lambdaTasks) {
      const retry = s.Retry as { ErrorEquals: string[]; IntervalSeconds: number; MaxAttempts: number }[];
      const last = retry.at(-1);
      expect(last, name).toMatchObject({ IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 });
      expect(last?.ErrorEquals, name).toEqual([
        'Lambda.ClientExecutionTimeoutException',
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
      ]);
      expect(JSON.stringify(s.ResultSelector), name).toContain('$.Payload');
    }
  });

  it('guest operations retry GuestOpsUnavailable with backoff, a cap and full jitter, and fail fast on login/unsupported', () => {
    for (const name of ['RefreshGuestNetwork', 'RunSmokeCommand']) {
      const retry = (states.find(([n]) => n === name)?.[1].Retry ?? []) as Record<string, unknown>[];
      expect(retry[0]).toEqual({ ErrorEquals: ['GuestLoginFailed', 'GuestOpsUnsupported'], MaxAttempts: 0 });
      expect(retry.find((r) => (r.ErrorEquals as string[]).includes('GuestOpsUnavailable'))).toMatchObject({
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      });
    }
  });

  it('every per-clone step after InstantClone catches into the discard/teardown path', () => {
    for (const name of [
      'InstantClone',
      'ReconnectNic',
      'RefreshGuestNetwork',
      'WaitForIp',
      'RunSmokeCommand',
    ]) {
      const s = states.find(([n]) => n === name)?.[1] as State;
      expect(s.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'DiscardFailedClone' },
      ]);
    }
    for (const name of ['CheckFleet', 'SetLease', 'Ready']) {
      const s = states.find(([n]) => n === name)?.[1] as State;
      const targets = (s.Catch as { Next: string }[]).map((c) => c.Next);
      expect(new Set(targets), name).toEqual(new Set(['TeardownFleet']));
    }
  });

  it('Ready invokes AnnounceReady and waits for its task token, with the lease as timeout', () => {
    const ready = states.find(([n]) => n === 'Ready')?.[1] as State;
    expect(ready.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(ready.TimeoutSecondsPath).toBe('$.lease.seconds');
    expect((ready.Parameters as State).FunctionName).toBe(`\${AnnounceReadyFunctionArn}`);
    expect(JSON.stringify(ready.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
    expect(JSON.stringify(ready.Parameters)).toContain(`\${EventBusName}`);
    // The lease running out is States.Timeout: retrying it would re-announce an expired lease.
    for (const r of ready.Retry as { ErrorEquals: string[] }[]) {
      expect(r.ErrorEquals).not.toContain('States.Timeout');
      expect(r.ErrorEquals).not.toContain('States.ALL');
    }
  });

  it('an extend loops back through SetLease to Ready; anything else tears down', () => {
    const byName = Object.fromEntries(states) as Record<string, State>;
    expect((byName.HasLease?.Choices as { Next: string }[] | undefined)?.[0]?.Next).toBe('SetLease');
    expect(byName.SetLease?.Next).toBe('Ready');
    expect(byName.SetLease?.ResultPath).toBe('$.lease');
    expect(byName.Ready?.Next).toBe('LeaseAction');
    const action = byName.LeaseAction as State;
    expect(action.Default).toBe('TeardownFleet');
    expect(JSON.stringify(action.Choices)).toContain('"StringEquals":"extend"');
    expect((action.Choices as { Next: string }[])[0]?.Next).toBe('SetLease');
  });
});
