import { describe, expect, it } from 'vitest';
import { getSecretString, secretsExtension } from '../../lambdas/workflow/secrets-extension.js';
import { runLocalWorkflow } from '../../local/runner/run.js';
import type { RunnerEvent } from '../../local/runner/types.js';
import { fixtureOptions, GUEST_SECRET, LEASE_ASL, SECRET } from './fixture.js';

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe('runLocalWorkflow wiring', () => {
  it('hands the handler the Payload and the state the lambda:invoke response', async () => {
    const seen: unknown[] = [];
    const result = await runLocalWorkflow(
      fixtureOptions({
        handlers: {
          Greet: async (event) => {
            seen.push(event);
            return { greeting: 'hi' };
          },
          Echo: async (event) => event,
        },
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(seen).toEqual([{ who: 'fleet', items: [1, 2, 3], leaseSeconds: 2 }]);
    expect(result.output).toMatchObject({ greet: { greeting: 'hi', statusCode: 200 }, clones: [1, 2, 3] });
    const exited = result.events.find((e) => e.type === 'StateExited' && e.state?.name === 'Greet');
    expect(exited?.state?.output).toMatchObject({ greet: { greeting: 'hi' } });
  });

  it('serves the secrets through the local Parameters and Secrets extension only: never in the context, a state input or output', async () => {
    let context: Record<string, unknown> = {};
    const fetched: Record<string, unknown> = {};
    const result = await runLocalWorkflow(
      fixtureOptions({
        handlers: {
          Greet: async (_event, ctx) => {
            context = ctx;
            const extension = secretsExtension();
            if (!extension) throw new Error('no Parameters and Secrets extension to ask');
            for (const id of ['local/vcenter', 'local/guest/linux'])
              fetched[id] = JSON.parse(await getSecretString(extension, id));
            return { greeting: 'hi' };
          },
          Echo: async (event) => event,
        },
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(fetched).toEqual({
      'local/vcenter': { username: 'administrator@vsphere.local', password: SECRET },
      'local/guest/linux': { username: 'root', password: GUEST_SECRET },
    });
    expect(context.vcenter).toBeUndefined();
    expect(context.functionName).toBe('Greet');
    expect(typeof (context.getRemainingTimeInMillis as () => number)()).toBe('number');
    expect(JSON.parse(process.env.WORKFLOW_CONFIG ?? '{}').sources.linux.guestSecretId).toBe(
      'local/guest/linux',
    );
    const history = JSON.stringify([result.events, result.putEvents, process.env.WORKFLOW_CONFIG, context]);
    expect(history).not.toContain(SECRET);
    expect(history).not.toContain(GUEST_SECRET);
    // the last run over: the extension is stopped and the handlers no longer pointed at it
    expect(process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).toBeUndefined();
  });

  it('matches Catch on the thrown error name and reports an AWS-shaped Cause', async () => {
    const result = await runLocalWorkflow(
      fixtureOptions({
        handlers: {
          Greet: async () => {
            throw named('BadName', 'field who is not allowed');
          },
          Echo: async (e) => e,
        },
      }),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('BadName');
    expect(JSON.parse(result.cause ?? '{}')).toMatchObject({
      errorType: 'BadName',
      errorMessage: 'field who is not allowed',
    });
    expect(result.events.some((e) => e.type === 'StateCaught' && e.state?.name === 'Greet')).toBe(true);
  });

  it('retries on the error name, and a crash after the handler ran is retried like a Lambda failure', async () => {
    let calls = 0;
    const result = await runLocalWorkflow(
      fixtureOptions({
        timeScale: 0.001,
        handlers: { Greet: async () => ({ greeting: `call ${++calls}` }), Echo: async (e) => e },
        taskHook: ({ state, attempt, phase }) => {
          if (state === 'Greet' && phase === 'after' && attempt < 3)
            throw named('Flaky', 'crashed after the work');
        },
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    expect(result.output).toMatchObject({ greet: { greeting: 'call 3' } });
    expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
  });

  it('fails with the error name when nothing catches it', async () => {
    const result = await runLocalWorkflow(
      fixtureOptions({
        handlers: {
          Greet: async () => ({ greeting: 'hi' }),
          Echo: async () => {
            throw named('CloneFailed', 'InsufficientResourcesFault');
          },
        },
      }),
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'CloneFailed' });
  });
});

describe('lease release', () => {
  const readyEvent = (events: RunnerEvent[]) =>
    events.find((e) => e.kind === 'putEvents' && e.event.state === 'Ready') as
      | Extract<RunnerEvent, { kind: 'putEvents' }>
      | undefined;

  it('records the Ready event with $$.Task.Token and releases it immediately by default', async () => {
    const events: RunnerEvent[] = [];
    const result = await runLocalWorkflow(fixtureOptions({ onEvent: (e) => events.push(e) }));
    expect(result.status).toBe('SUCCEEDED');
    const ready = readyEvent(events);
    expect(ready?.event.taskToken).toBe(`local-token-${result.name}`);
    expect(ready?.event.entries[0]).toMatchObject({
      EventBusName: 'instant-clone-local',
      DetailType: 'Fixture Ready',
      Detail: { taskToken: `local-token-${result.name}`, clones: [{ item: 1 }, { item: 2 }, { item: 3 }] },
    });
    expect(result.putEvents.map((p) => p.state)).toEqual(['Ready', 'Done']);
    expect(result.output).toMatchObject({ release: { releasedBy: 'local-runner' } });
    expect(events.some((e) => e.kind === 'released' && e.how === 'immediate')).toBe(true);
  });

  it('holds the lease until the test releases it, with the released value as the task output', async () => {
    let release: (v: unknown) => void = () => {};
    const released = new Promise((r) => {
      release = r;
    });
    let readySeen = false;
    const running = runLocalWorkflow(
      fixtureOptions({
        release: released,
        onEvent: (e) => {
          if (e.kind === 'putEvents' && e.event.state === 'Ready') {
            readySeen = true;
            setTimeout(() => release({ by: 'test' }), 50);
          }
        },
      }),
    );
    const result = await running;
    expect(readySeen).toBe(true);
    expect(result.output).toMatchObject({ release: { by: 'test' } });
  });

  it('turns a rejected release into a task failure named after the error', async () => {
    const result = await runLocalWorkflow(
      fixtureOptions({ release: Promise.reject(named('PipelineGaveUp', 'tests failed')) }),
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'PipelineGaveUp' });
  });

  it("lets TimeoutSeconds fire with release 'never' (scaled)", async () => {
    const events: RunnerEvent[] = [];
    const started = Date.now();
    const result = await runLocalWorkflow(
      fixtureOptions({ release: 'never', timeScale: 0.05, onEvent: (e) => events.push(e) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ leaseExpired: true, error: { Error: 'States.Timeout' } });
    expect(events.some((e) => e.kind === 'timeout' && e.afterMs === 100)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1900);
  });

  it("lets the library's own TimeoutSeconds fire with release 'never' at scale 1", async () => {
    const result = await runLocalWorkflow(
      fixtureOptions({ release: 'never', input: { items: [], leaseSeconds: 1, who: 'x' } }),
    );
    expect(result.output).toMatchObject({ leaseExpired: true, error: { Error: 'States.Timeout' } });
  });

  it('holds for afterMs', async () => {
    const result = await runLocalWorkflow(fixtureOptions({ release: { afterMs: 30 } }));
    const ready = result.events.filter((e) => e.state?.name === 'Ready');
    const held = (ready.at(-1)?.timestamp ?? 0) - (ready[0]?.timestamp ?? 0);
    expect(held).toBeGreaterThanOrEqual(25);
  });

  it('aborts on the signal', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await runLocalWorkflow(fixtureOptions({ release: 'never', signal: controller.signal }));
    expect(result.status).toBe('ABORTED');
  });
});

describe('lambda:invoke.waitForTaskToken', () => {
  it('invokes the handler with the token, then waits for the release and returns its value', async () => {
    const payloads: unknown[] = [];
    const result = await runLocalWorkflow(
      fixtureOptions({
        aslPath: LEASE_ASL.replace('lease.asl.json', 'callback.asl.json'),
        input: { question: 'keep the clones?' },
        handlers: {
          AskHuman: async (event) => {
            payloads.push(event);
            return { asked: true };
          },
        },
        release: Promise.resolve({ keep: false }),
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(payloads).toEqual([{ token: `local-token-${result.name}`, question: 'keep the clones?' }]);
    expect(result.output).toEqual({ question: 'keep the clones?', answer: { keep: false } });
  });
});
