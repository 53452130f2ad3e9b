import { describe, expect, it } from 'vitest';
import {
  executionArnOf,
  executionNameForKey,
  executionNameForRun,
  executionNameOfArn,
  resolveRunRef,
  runIdOf,
} from './run-ref.js';

const SM = 'arn:aws:states:eu-central-1:123456789012:stateMachine:InstantClone';

describe('run ids and execution names', () => {
  it('names an execution from a key, and the run id is in the name', () => {
    const name = executionNameForKey('github:123:1:test');
    expect(name).toMatch(/^ic-[0-9a-f]{12}$/);
    expect(executionNameForKey('github:123:1:test')).toBe(name);
    expect(executionNameForKey('github:123:2:test')).not.toBe(name);
    expect(runIdOf(name)).toBe(name.slice(3));
    expect(executionNameForRun(runIdOf(name))).toBe(name);
  });

  it('keeps hashing other names to 8 hex digits, which do not lead back', () => {
    expect(runIdOf('console-run')).toMatch(/^[0-9a-f]{8}$/);
    expect(executionNameForRun(runIdOf('console-run'))).toBeUndefined();
    expect(resolveRunRef(runIdOf('console-run'), SM)).toBeUndefined();
  });

  it('goes from run id, name or ARN to the same run', () => {
    const name = executionNameForKey('k');
    const arn = executionArnOf(SM, name);
    expect(arn).toBe(`arn:aws:states:eu-central-1:123456789012:execution:InstantClone:${name}`);
    expect(executionNameOfArn(arn)).toBe(name);
    const expected = { executionArn: arn, executionName: name, runId: name.slice(3) };
    expect(resolveRunRef(name.slice(3), SM)).toEqual(expected);
    expect(resolveRunRef(name, SM)).toEqual(expected);
    expect(resolveRunRef(arn, SM)).toEqual(expected);
    expect(() => executionNameForKey('')).toThrow();
    expect(() => executionArnOf('arn:aws:lambda:x', name)).toThrow(/state machine ARN/);
  });
});
