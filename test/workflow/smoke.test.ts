// The request's optional smoke command runs in every ready clone; a non-zero exit fails that clone.
import { describe, expect, it } from 'vitest';
import { entered, request, summaryOf, useSimulator } from './helpers.js';

describe('smoke command', () => {
  const t = useSimulator();

  it('runs in each clone and the run succeeds when it exits 0', async () => {
    const result = await t.run(
      request({ sources: [{ source: 'linux', count: 2 }], smokeCommand: 'echo ok' }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(entered(result, 'RunSmokeCommand')).toBe(2);
    expect(summaryOf(result).ready).toBe(2);
  });

  it('is skipped when the request has none', async () => {
    const result = await t.run(request());
    expect(result.status).toBe('SUCCEEDED');
    expect(entered(result, 'RunSmokeCommand')).toBe(0);
  });

  it('fails the clone with SmokeCommandFailed when it exits non-zero, and the clone is torn down', async () => {
    const result = await t.run(request({ smokeCommand: 'exit 5' }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'SmokeCommandFailed' });
    expect(summaryOf(result).clones[0]?.error?.name).toBe('SmokeCommandFailed');
    // A readable cause, not the Lambda's raw error JSON with its stack trace.
    expect(result.cause).not.toContain('"trace"');
    expect(result.cause).toContain('0 of 1 clones ready');
  });
});
