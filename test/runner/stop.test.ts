// An execution that ends without its own teardown — stopped (StopExecution), aborted, timed out — has its
// clones torn down by the runner at once, as the stack's execution-status rule does on AWS. And input the
// local Step Functions library cannot walk is refused before it runs.
import { describe, expect, it } from 'vitest';
import { runLocalWorkflow } from '../../local/runner/index.js';
import type { JsonValue } from '../../local/runner/types.js';
import { request, TIME_SCALE, useSimulator } from '../workflow/helpers.js';

describe('executions that end the hard way', { timeout: 60_000 }, () => {
  const t = useSimulator();

  it('a stopped execution: every clone it made, even one whose creation was still running, is destroyed', async () => {
    const controller = new AbortController();
    let cloned = 0;
    const result = await t.run(request({ sources: [{ source: 'linux', count: 3 }] }), {
      signal: controller.signal,
      taskHook: ({ state, phase }) => {
        // Stop while the third InstantClone is still running: its clone appears after the stop.
        if (state === 'InstantClone' && phase === 'after' && ++cloned === 2) controller.abort();
      },
    });
    expect(result.status).toBe('ABORTED');
    expect(result.teardown?.failed).toEqual([]);
    expect(result.teardown?.destroyed).toHaveLength(3);
    expect(t.sim.clones()).toEqual([]);
  });

  it('a run that went through FinishRun is not torn down a second time', async () => {
    const result = await t.run(request());
    expect(result.status).toBe('SUCCEEDED');
    expect(result.teardown).toBeUndefined();
  });

  it('input nested thousands of levels deep is refused up front', async () => {
    let deep: JsonValue = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { deeper: deep };
    const result = await runLocalWorkflow({
      simulator: t.sim,
      input: { ...(request() as Record<string, JsonValue>), extra: deep },
      timeScale: TIME_SCALE,
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(result.cause).toContain('nested more than 64 levels deep');
    expect(result.events).toEqual([]);
  });
});
