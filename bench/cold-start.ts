// (d) Cold start per handler: each handler bundled as the CDK stack bundles it (esbuild, ESM, minified,
// AWS SDK included, WSDL copied next to it), then imported in a fresh `node` process. We report the
// import time and the time from process start to "handler ready"; Lambda's own runtime start and the
// VPC are not in these figures.

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { handlerBuildOptions } from '../cdk/constructs/handler-bundle.js';
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
): Promise<{ outfile: string; byPackage: [string, number][] }> {
  const dir = join(OUT, name);
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

/** Imports `file` in a fresh node process and reports { importMs, readyMs } (ready = since process start). */
export async function importInFreshNode(
  file: string,
  env: NodeJS.ProcessEnv,
  after = '',
): Promise<{ importMs: number; readyMs: number }> {
  const code = [
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    after,
    'const t1 = performance.now();',
    "if (typeof m.handler !== 'function' && !m.VsphereClient) throw new Error('no handler export');",
    'console.log(JSON.stringify({ importMs: t1 - t0, readyMs: t1 }));',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { env, cwd: dirname(file) });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
}

export async function coldStarts(env: NodeJS.ProcessEnv, runs = 5): Promise<ColdStart[]> {
  const results: ColdStart[] = [];
  for (const dir of handlerDirs()) {
    const { outfile: file, byPackage } = await bundleWithSizes(
      join(REPO_ROOT, 'lambdas', dir, 'handler.ts'),
      dir,
    );
    const samples: { importMs: number; readyMs: number }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await importInFreshNode(file, env));
    results.push({
      handler: dir,
      bundleKb: statSync(file).size / 1024,
      bundleBytes: statSync(file).size,
      byPackage,
      importMs: summarize(samples.map((s) => s.importMs)),
      readyMs: summarize(samples.map((s) => s.readyMs)),
    });
  }
  return results;
}
