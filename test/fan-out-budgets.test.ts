// The budgets ValidateRequest checks (lambdas/workflow/budgets.ts) against the ASL they describe: the worst-case
// history events are derived from the real file with the counting model of lambdas/workflow/history-model.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkBudget,
  estimateBudget,
  WORST_CHILD_FIXED_EVENTS,
  WORST_EVENTS_PER_CLONE,
  WORST_EVENTS_PER_EXTENSION,
  WORST_PARENT_EVENTS,
} from '../lambdas/workflow/budgets.js';
import {
  EVENTS_PER_EXECUTION,
  worstCaseEvents,
  worstCaseStateEvents,
} from '../lambdas/workflow/history-model.js';
import { ASL_PATH } from '../statemachines/placeholders.js';

type Machine = { States: Record<string, Record<string, unknown>> };
const asl = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as Machine;
const processor = (state: string) => asl.States[state]?.ItemProcessor as Machine;

describe('fan-out budgets', () => {
  it('the worst-case constants are what the ASL implies', () => {
    const child = (n: number) => EVENTS_PER_EXECUTION + worstCaseEvents(processor('CloneFleet'), n);
    expect(child(1) - child(0)).toBe(WORST_EVENTS_PER_CLONE);
    expect(child(0)).toBe(WORST_CHILD_FIXED_EVENTS);
    expect(EVENTS_PER_EXECUTION + worstCaseEvents(asl, 1)).toBe(WORST_PARENT_EVENTS);
    // the lease loop (SetLease ⇄ Ready) in the parent: one more pass per extension
    const loop = ['SetLease', 'Ready', 'LeaseAction'].map((name) =>
      worstCaseStateEvents(asl.States[name] ?? {}),
    );
    expect(loop.reduce((a, b) => a + b, 0)).toBe(WORST_EVENTS_PER_EXTENSION);
    // a teardown child never needs more than a clone child of the same slice
    const teardown = EVENTS_PER_EXECUTION + worstCaseEvents(processor('TeardownFleet'), 25);
    expect(teardown).toBeLessThan(child(25));
  });

  it('both clone Maps are Distributed Maps with STANDARD children', () => {
    for (const state of ['CloneFleet', 'TeardownFleet']) {
      expect((processor(state) as unknown as { ProcessorConfig: unknown }).ProcessorConfig).toEqual({
        Mode: 'DISTRIBUTED',
        ExecutionType: 'STANDARD',
      });
    }
  });

  it('accepts 1,000 clones in slices of 25 and refuses what would cross a quota, naming it', () => {
    expect(() => checkBudget(estimateBudget(1000, 25, 19, 200), 1000, 25)).not.toThrow();
    expect(() => checkBudget(estimateBudget(1000, 100, 19, 200), 1000, 100)).toThrow(
      /history events .* 25000 per execution/,
    );
    expect(() => checkBudget(estimateBudget(3000, 25, 19, 200), 3000, 25)).toThrow(/256 KiB per state/);
  });
});
