// (d) Cold start per handler: each handler bundled as the CDK stack bundles it (cdk/constructs/handler-bundle.ts:
// esbuild, ESM, minified, AWS SDK included, source map and WSDL next to it), then imported in a fresh `node`
// process with the NODE_OPTIONS the stack sets. We report the import time, its CPU time (less sensitive to other
// jobs on the machine) and the time from process start to "handler ready"; Lambda's own runtime start and the
// VPC are not in these figures. `invokeInFreshNode` adds the first invocation, for handlers whose work starts
// there (the vCenter login and the WSDL parse).

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { HANDLER_NODE_OPTIONS, handlerBuildOptions } from '../cdk/constructs/handler-bundle.js';
import { REPO_ROOT } from '../local/runner/asl.js';
import { type Summary, summarize } from './stats.js';

const run = promisify(execFile);
const OUT = join(REPO_ROOT, 'out/bench/bundles');

export interface ColdStart {
  handler: string;
  bundleKb: number;
  bundleBytes: number;
  /** bytes in the bundle per npm package ("project" = our own code), largest first */
  byPackage: [string, number][];
  importMs: Summary;
  /** CPU time (user + system) the import took */
  importCpuMs: Summary;
  readyMs: Summary;
}

export function handlerDirs(): string[] {
  const root = join(REPO_ROOT, 'lambdas');
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'handler.ts')))
    .sort();
}

export async function bundle(entry: string, name: string): Promise<string> {
  return (await bundleWithSizes(entry, name)).outfile;
}

export async function bundleWithSizes(
  entry: string,
  name: string,
  out = OUT,
): Promise<{ outfile: string; byPackage: [string, number][] }> {
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const result = await build(handlerBuildOptions(REPO_ROOT, entry, outfile));
  const wsdl = join(REPO_ROOT, 'lambdas/vsphere/wsdl');
  if (existsSync(wsdl)) cpSync(wsdl, join(dir, 'wsdl'), { recursive: true });
  const byPackage: Record<string, number> = {};
  for (const output of Object.values(result.metafile?.outputs ?? {})) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'project';
      byPackage[pkg] = (byPackage[pkg] ?? 0) + input.bytesInOutput;
    }
  }
  return { outfile, byPackage: Object.entries(byPackage).sort((a, b) => b[1] - a[1]) };
}

/** The environment the stack gives every function, on top of `env`. */
export function lambdaEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: HANDLER_NODE_OPTIONS };
}

export interface FreshRun {
  importMs: number;
  importCpuMs: number;
  /** since process start: the handler imported (and invoked, with `invokeInFreshNode`) */
  readyMs: number;
}

async function freshNode(file: string, env: NodeJS.ProcessEnv, body: string[]): Promise<string> {
  const code = [
    'const c0 = process.cpuUsage();',
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const t1 = performance.now();',
    'const c1 = process.cpuUsage(c0);',
    "if (typeof m.handler !== 'function' && !m.VsphereClient) throw new Error('no handler export');",
    'const times = { importMs: t1 - t0, importCpuMs: (c1.user + c1.system) / 1000, readyMs: t1 };',
    ...body,
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    env: lambdaEnv(env),
    cwd: dirname(file),
  });
  return stdout.trim().split('\n').pop() ?? '{}';
}

/** Imports `file` in a fresh node process (the stack's NODE_OPTIONS) and reports how long that took. */
export async function importInFreshNode(file: string, env: NodeJS.ProcessEnv): Promise<FreshRun> {
  return JSON.parse(await freshNode(file, env, ['console.log(JSON.stringify(times));']));
}

/**
 * Imports `file` in a fresh node process and invokes its handler once with `event` and `context` (JSON, plus
 * getRemainingTimeInMillis): the handler's output or error, and the figures up to the end of that invocation.
 */
export async function invokeInFreshNode(
  file: string,
  env: NodeJS.ProcessEnv,
  event: unknown,
  context: Record<string, unknown>,
): Promise<
  FreshRun & { invokeMs: number; output?: unknown; error?: { name: string; message: string; stack?: string } }
> {
  return JSON.parse(
    await freshNode(file, env, [
      `const context = { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 120000 };`,
      'let outcome;',
      `try { outcome = { output: await m.handler(${JSON.stringify(event)}, context) }; }`,
      'catch (e) { outcome = { error: { name: e.name, message: e.message, stack: e.stack } }; }',
      'const t2 = performance.now();',
      'console.log(JSON.stringify({ ...times, ...outcome, invokeMs: t2 - times.readyMs, readyMs: t2 }));',
    ]),
  );
}

/** Node's own start in the same environment (nothing imported): the floor under every handler's figure. */
export async function nodeAloneMs(env: NodeJS.ProcessEnv, runs = 5): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', 'console.log(performance.now())'],
      { env: lambdaEnv(env) },
    );
    samples.push(Number(stdout.trim()));
  }
  return summarize(samples);
}

export async function coldStarts(env: NodeJS.ProcessEnv, runs = 5): Promise<ColdStart[]> {
  const results: ColdStart[] = [];
  for (const dir of handlerDirs()) {
    const { outfile: file, byPackage } = await bundleWithSizes(
      join(REPO_ROOT, 'lambdas', dir, 'handler.ts'),
      dir,
    );
    const samples: FreshRun[] = [];
    for (let i = 0; i < runs; i++) samples.push(await importInFreshNode(file, env));
    results.push({
      handler: dir,
      bundleKb: statSync(file).size / 1024,
      bundleBytes: statSync(file).size,
      byPackage,
      importMs: summarize(samples.map((s) => s.importMs)),
      importCpuMs: summarize(samples.map((s) => s.importCpuMs)),
      readyMs: summarize(samples.map((s) => s.readyMs)),
    });
  }
  return results;
}
