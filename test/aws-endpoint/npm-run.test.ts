// `npm run local-aws` as a user starts it: the first stdout line is the contract, the real SDK works against
// it, and SIGTERM to the PID `npm run local-aws & echo $!` gives (npm → tsx → node) stops it and removes the
// clones of the run it interrupted.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { executionNameForKey } from '../../lambdas/workflow/run-ref.js';
import { request, until } from './helpers.js';

interface Contract {
  endpoint: string;
  region: string;
  stateMachineArn: string;
  eventBusName: string;
  simulator: { url: string; username: string; password: string; sources: Record<string, string> };
}

let child: ChildProcess | undefined;
afterEach(() => {
  // Its own process group: a failed test must not leave npm's children behind.
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('npm run local-aws', () => {
  it('prints the contract, serves the SDK, and on SIGTERM to npm stops the run and removes its clones', async () => {
    child = spawn('npm', ['run', 'local-aws', '--', '--port', '0', '--time-scale', '0.05'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    const proc = child;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      proc.once('exit', () => reject(new Error(`exited before its contract line:\n${stderr}`)));
    });
    const contract = JSON.parse(first) as Contract;
    expect(Object.keys(contract).sort()).toEqual([
      'endpoint',
      'eventBusName',
      'region',
      'simulator',
      'stateMachineArn',
    ]);
    expect(contract.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(contract.simulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/sdk$/);

    const sfn = new SFNClient({
      endpoint: contract.endpoint,
      region: contract.region,
      credentials: { accessKeyId: 'whatever', secretAccessKey: 'whatever' },
    });
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: contract.stateMachineArn,
        name: executionNameForKey('npm run local-aws'),
        input: request({ sources: [{ source: 'linux', count: 1 }] }),
      }),
    );
    // Wait until the clone exists (past InstantClone, in the fan-out's child execution), then interrupt.
    const historyOf = async (executionArn: string | undefined) =>
      (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    await until('the clone to be made', async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(d.status).toBe('RUNNING');
      const mapRunArn = (await historyOf(started.executionArn)).find((e) => e.type === 'MapRunStarted')
        ?.mapRunStartedEventDetails?.mapRunArn;
      if (!mapRunArn) return undefined;
      const [clones] = (await sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions ?? [];
      const events = clones ? await historyOf(clones.executionArn) : [];
      return events.some((e) => e.stateExitedEventDetails?.name === 'InstantClone') ? true : undefined;
    });
    sfn.destroy();
    process.kill(proc.pid as number, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: stopping executions/);
    expect(stderr).toMatch(/ABORTED; removed 1 clone\(s\)/);
  });
});
