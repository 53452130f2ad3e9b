// Issue-2 cold start: the client bundled alone, imported in a fresh node process, then connected
// (RetrieveServiceContent + Login, which builds the SOAP client from the bundled WSDL) = ready.

import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../local/runner/asl.js';
import type { RunningSimulator } from '../local/simulator/index.js';
import { bundle } from './cold-start.js';
import { type Summary, summarize } from './stats.js';

const run = promisify(execFile);

export interface ClientColdStart {
  importMs: Summary;
  connectMs: Summary;
  readyMs: Summary;
}

export async function clientColdStart(sim: RunningSimulator, runs = 3): Promise<ClientColdStart> {
  const file = await bundle(join(REPO_ROOT, 'lambdas/vsphere/index.ts'), 'vsphere-client');
  const code = `
    const t0 = performance.now();
    const { VsphereClient } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const t1 = performance.now();
    const c = await VsphereClient.connect(JSON.parse(process.env.BENCH_VCENTER));
    const t2 = performance.now();
    await c.close();
    console.log(JSON.stringify({ importMs: t1 - t0, connectMs: t2 - t1, readyMs: t2 }));`;
  const env = {
    ...process.env,
    BENCH_VCENTER: JSON.stringify({
      url: sim.url,
      username: sim.username,
      password: sim.password,
      insecure: true,
    }),
  };
  const samples: { importMs: number; connectMs: number; readyMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
      env,
      cwd: dirname(file),
    });
    samples.push(JSON.parse(stdout.trim().split('\n').pop() ?? '{}'));
  }
  return {
    importMs: summarize(samples.map((s) => s.importMs)),
    connectMs: summarize(samples.map((s) => s.connectMs)),
    readyMs: summarize(samples.map((s) => s.readyMs)),
  };
}
