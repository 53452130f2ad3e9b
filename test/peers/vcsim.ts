import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A running vcsim (govmomi 0.24 simulator) on 127.0.0.1 with its own TLS certificate. */
export interface RunningVcsim {
  url: string;
  username: string;
  password: string;
  caPem?: string;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = fileURLToPath(new URL('./vcsim/', import.meta.url));
const BUILD_DIR = `${ROOT}.vcsim-build`;
const BINARY = `${BUILD_DIR}/vcsim`;
const GOPATH = '/usr/share/gocode';
const GOVMOMI = `${GOPATH}/src/github.com/vmware/govmomi/simulator`;

/** Why vcsim cannot be built here, or undefined if it can. */
export function vcsimUnavailable(): string | undefined {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return 'the `go` toolchain is missing (apt-get install golang-go)';
  }
  if (!existsSync(GOVMOMI))
    return `govmomi sources are missing at ${GOVMOMI} (apt-get install golang-github-vmware-govmomi-dev)`;
  return undefined;
}

/** Builds vcsim into `.vcsim-build/` unless the binary is newer than its source. */
export function buildVcsim(): void {
  const why = vcsimUnavailable();
  if (why) throw new Error(`cannot build the vcsim peer: ${why}`);
  const source = `${SOURCE_DIR}main.go`;
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs > statSync(source).mtimeMs) return;
  mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync('go', ['build', '-o', BINARY, '.'], {
    cwd: SOURCE_DIR,
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: `${BUILD_DIR}/gocache`, GOFLAGS: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\n');
      if (i >= 0) {
        child.stdout?.off('data', onData);
        resolve(buf.slice(0, i));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`vcsim exited early (code ${code})`)));
    child.once('error', reject);
  });
}

/** Builds vcsim once into `.vcsim-build/` (GOPATH mode) and starts it. */
export async function startVcsim(): Promise<RunningVcsim> {
  buildVcsim();
  const child = spawn(BINARY, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = JSON.parse(await firstLine(child)) as Omit<RunningVcsim, 'stop'>;
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin?.end();
      }),
  };
}
