import { describe, expect, it } from 'vitest';
import { ERROR_CLASSES, ERROR_NAMES, SourceNotFrozenError, WorkflowError } from './errors.js';

describe('errors', () => {
  it('every class sets the name it is registered under and extends WorkflowError', () => {
    for (const [name, Cls] of Object.entries(ERROR_CLASSES)) {
      const e = new Cls('detail');
      expect(e.name).toBe(name);
      expect(e).toBeInstanceOf(WorkflowError);
      expect(e.message.startsWith('detail')).toBe(true);
    }
    expect(ERROR_NAMES).toContain('IpTimeout');
  });

  it('messages tell the user what to do and keep the cause and fault name', () => {
    const cause = new Error('x');
    const e = new SourceNotFrozenError('/DC/vm/src is not frozen', { cause, faultName: 'InvalidState' });
    expect(e.message).toContain('vmtoolsd --cmd "instantclone.freeze"');
    expect(e.message).toContain('[InvalidState]');
    expect(e.cause).toBe(cause);
    expect(e.faultName).toBe('InvalidState');
  });

  it('a message that quotes another error of its kind says the advice once, without a double period', () => {
    const inner = new SourceNotFrozenError('clone x: source not frozen.');
    const outer = new SourceNotFrozenError(`0 of 2 clones ready: ${inner.message}`);
    expect(outer.message.split(SourceNotFrozenError.hint)).toHaveLength(2);
    expect(inner.message).toContain('not frozen. ');
    expect(inner.message).not.toContain('..');
  });
});
