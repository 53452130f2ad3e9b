// `npm run local-aws` as a pipeline's tests meet it: started on a random port, its contract line read, the CLI
// run against it as a child process, the simulator's inventory read back over its control endpoint.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

export interface LocalAwsContract {
  endpoint: string;
  region: string;
  stateMachineArn: string;
  eventBusName: string;
  simulator: { url: string; control: string };
}

export interface LocalAws {
  contract: LocalAwsContract;
  /** the environment a pipeline job would have: state machine ARN, endpoint, any credentials, no CI variables */
  env: Record<string, string>;
  /** the simulator's run-time control (`POST /sim/control`): faults, DHCP */
  simControl(body: Record<string, unknown>): Promise<unknown>;
  /** clones that still exist in the simulator */
  clones(): Promise<{ name: string; powerState: string }[]>;
  /** polls until the simulator has no clone left (teardown runs after the CLI returns) */
  expectNoClonesLeft(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function control(url: string, body: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // The simulator's certificate is self-signed, made at its start.
    const req = request(
      url,
      { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The variables a CI system sets, removed so the tests do not depend on where they run. */
const CI_VARIABLES = /^(GITHUB_|GITLAB_|CI_|BUILD_|JENKINS_|AWS_|INSTANT_CLONE_)/;

export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !CI_VARIABLES.test(e[0]),
    ),
  );
}

export async function startLocalAws(timeScale = 0.02): Promise<LocalAws> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'npm',
    // slices of one clone: every run of two or more clones fans out over several child executions
    [
      'run',
      'local-aws',
      '--',
      '--port',
      String(port),
      '--time-scale',
      String(timeScale),
      '--slice-size',
      '1',
    ],
    {
      cwd: REPO,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group, so stop() reaches npm, the shell and the endpoint alike
      detached: true,
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const contract = await new Promise<LocalAwsContract>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      try {
        resolve(JSON.parse(out.slice(0, newline)) as LocalAwsContract);
      } catch {
        reject(new Error(`npm run local-aws: first line is not JSON: ${out.slice(0, newline)}\n${stderr}`));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`npm run local-aws exited (${code}) before its contract line:\n${stderr}`)),
    );
  });
  const env = {
    ...cleanEnv(),
    INSTANT_CLONE_STATE_MACHINE_ARN: contract.stateMachineArn,
    AWS_ENDPOINT_URL_SFN: contract.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    INSTANT_CLONE_POLL_SECONDS: '0.3',
  };
  const clones = async () => {
    const vms = (await control(contract.simulator.control, { action: 'inventory' })) as {
      name: string;
      isClone: boolean;
      powerState: string;
    }[];
    return vms.filter((vm) => vm.isClone).map(({ name, powerState }) => ({ name, powerState }));
  };
  return {
    contract,
    env,
    clones,
    simControl: (body) => control(contract.simulator.control, body),
    async expectNoClonesLeft(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let left = await clones();
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        left = await clones();
      }
      expect(left).toEqual([]);
    },
    async stop() {
      if (child.exitCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        await exited;
      }
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `instant-clone ARGS` (the package's bin) as a child process. */
export function cli(
  args: string[],
  env: Record<string, string>,
  opts: { onStderr?: (text: string, child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // A hung command is interrupted as a user would (its run is stopped), so no test leaves it running.
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
      killSignal: 'SIGINT',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
