// `instant-clone fleet --request FILE`: a whole run to completion (the nightly kind, often with a smoke command):
// live progress, then the per-phase table and the timeline picture, from the execution's history.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { currentReadyWait } from '../lambdas/workflow/ready-wait.js';
import { formatPhaseTable, phaseStats } from '../local/runner/phase-table.js';
import { cloneTimelines, sharedSpans } from '../local/runner/phases.js';
import { timelineSvg } from '../local/runner/timeline-svg.js';
import { CONNECTION_HELP, connection, oneOf, parseCommand, parseDuration } from './args.js';
import { acquireKey, ciIdentity } from './ci-key.js';
import { endOf, followRun, pollMs, startRun } from './execution.js';
import { CliError, EXIT } from './exit-codes.js';
import { runRunnerEvents, type toRunnerEvents } from './history.js';
import { whileInterruptible } from './interrupt.js';
import { progressNarrator } from './progress.js';
import { buildRequest } from './request.js';
import { apiError, sfnClient } from './sfn.js';

export const fleetHelp = `Usage: instant-clone fleet (--request FILE | --source NAME=COUNT ...) [options]

Runs a fleet to completion: clones, the request's smokeCommand in each, teardown. Prints live progress on
stderr, then the per-phase table (n, min, max, avg seconds per phase) and writes the timeline picture.
A lease in the request is not held: fleet releases the clones as soon as they are ready.

  --request FILE         the request JSON (README "The request"; - = stdin)
  --source NAME=COUNT    clones of a configured source (repeatable), instead of or over the file's
  --requester ID         who asks (default: the CI job's URL, else user@host)
  --name-prefix PREFIX   clone names are PREFIX-<runId>-NN (default: fleet)
  --key KEY              idempotency key, as for acquire (default: the CI job's, else random)
  --svg FILE             where to write the timeline picture (default: out/fleet-timeline.svg)
  --timeout DURATION     give up (and stop the run) after this long (default: 2h)
  -o, --output FORMAT    text (default) | json ({runId, executionArn, status, error?, summary, svg})

${CONNECTION_HELP}

Exit status: 0 the run succeeded and every clone was ready; 1 the run failed or a clone failed (error names on
stderr); 2 usage; 3 timeout; 5 AWS API error; 130/143 interrupted (the run is stopped).`;

export async function runFleet(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {
    request: { type: 'string' },
    source: { type: 'string', multiple: true },
    requester: { type: 'string' },
    'name-prefix': { type: 'string' },
    key: { type: 'string' },
    svg: { type: 'string', default: 'out/fleet-timeline.svg' },
    timeout: { type: 'string', default: '2h' },
    output: { type: 'string', short: 'o', default: 'text' },
  });
  if (values.help) {
    console.log(fleetHelp);
    return 0;
  }
  const format = oneOf('--output', values.output, ['text', 'json'] as const);
  const timeoutMs = parseDuration('--timeout', values.timeout) * 1000;
  const conn = connection(values);
  const request = buildRequest(values, { requesterId: ciIdentity().requester, namePrefix: 'fleet' });
  const { key } = acquireKey(values.key);
  const client = sfnClient(conn);
  const write = (line: string) => console.error(line);

  const narrate = progressNarrator(write);
  const answered = new Set<string>();
  // Signals count from before StartExecution: a Ctrl-C while it is under way stops the run it made.
  const { run, result } = await whileInterruptible(async (signal) => {
    const run = await startRun(client, conn.stateMachineArn, key, request);
    write(`${run.attached ? 'attached to' : 'started'} run ${run.runId} (${run.executionArn})`);
    const result = await followRun(
      client,
      run,
      {
        signal,
        deadline: Date.now() + timeoutMs,
        pollMs: pollMs(),
        verb: 'fleet',
        onHistory: async (history, children) => {
          narrate(history, children);
          const wait = currentReadyWait(history);
          if (!wait || answered.has(wait.taskToken)) return;
          answered.add(wait.taskToken);
          write(`${wait.clones.length} clone(s) ready; fleet holds no lease: releasing`);
          try {
            const output = JSON.stringify({
              action: 'release',
              reason: 'instant-clone fleet runs to completion',
            });
            await client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output }));
          } catch (error) {
            if (!(error instanceof TaskDoesNotExist || error instanceof TaskTimedOut))
              throw apiError(error, 'SendTaskSuccess');
          }
        },
        until: () => undefined,
      },
      write,
    );
    return { run, result };
  });
  // the children's last events (each child is read until it ends; the run has ended, so they all have)
  await result.follower.poll();
  return report(result.history, result.follower.childHistories(), run, values.svg, format, write);
}

/** The outcome, the per-phase table and the picture; exit 1 if the run or any clone failed. */
function report(
  history: Parameters<typeof toRunnerEvents>[0],
  children: ReadonlyMap<string, Parameters<typeof toRunnerEvents>[0]>,
  run: { runId: string; executionArn: string },
  svg: string,
  format: 'text' | 'json',
  write: (line: string) => void,
): number {
  const ended = endOf(history);
  // per-clone phases are in the fan-out's child executions (ADR 0005)
  const events = runRunnerEvents(history, children);
  const timelines = cloneTimelines(events);
  const svgPath = resolve(svg);
  if (timelines.length > 0) {
    mkdirSync(dirname(svgPath), { recursive: true });
    const started = events.find((e) => e.type === 'ExecutionStarted')?.timestamp;
    writeFileSync(
      svgPath,
      timelineSvg(timelines, {
        title: `Instant-clone fleet: run ${run.runId}, ${timelines.length} clone(s)`,
        timeScale: 1,
        ...(started ? { origin: started } : {}),
        shared: sharedSpans(events),
      }),
    );
  }
  const failedClones = timelines.filter((t) => t.error);
  for (const t of failedClones) write(`clone ${t.label} failed: ${t.error}`);
  if (ended?.status !== 'SUCCEEDED')
    write(`run ${run.runId} ${ended?.status}: ${ended?.error}: ${ended?.cause ?? ''}`);
  let summary: unknown = null;
  try {
    summary = ended?.output ? JSON.parse(ended.output) : null;
  } catch {
    summary = ended?.output ?? null;
  }
  if (format === 'json') {
    console.log(
      JSON.stringify(
        {
          runId: run.runId,
          executionArn: run.executionArn,
          status: ended?.status,
          ...(ended?.error ? { error: { name: ended.error, message: ended.cause ?? '' } } : {}),
          summary,
          svg: timelines.length > 0 ? svgPath : null,
        },
        null,
        2,
      ),
    );
  } else {
    const ready = timelines.filter((t) => t.readyAt !== undefined && !t.error).length;
    console.log(`run ${run.runId}: ${ended?.status}, ${ready} of ${timelines.length} clone(s) ready`);
    console.log(`\nper-phase durations (seconds):\n${formatPhaseTable(phaseStats(timelines), 1)}\n`);
    if (timelines.length > 0) console.log(`timeline picture: ${svgPath}`);
  }
  if (ended?.status !== 'SUCCEEDED') {
    throw new CliError(`run ${run.runId} ${ended?.status}: ${ended?.error}`, EXIT.runFailed, ended?.error);
  }
  return failedClones.length > 0 ? EXIT.runFailed : EXIT.ok;
}
