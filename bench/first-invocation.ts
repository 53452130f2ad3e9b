// (d) continued: the first invocation of a fresh handler process, for the work a cold start defers to it.
// ValidateRequest plans one clone, then VerifySourceFrozen (the first vCenter call of every run) takes that
// plan from its bundle in a fresh node: import, then the invocation that parses the WSDL, connects over TLS,
// logs in and reads the source VM, against the simulator at a small time scale (so its own latency model
// barely counts: the figure is our code, Node's TLS and the SOAP round trips on loopback). The secrets come from
// the local Parameters and Secrets extension (local/runner/secrets-extension.ts), one HTTP GET each, as on AWS.

import { join } from 'node:path';
import { REPO_ROOT } from '../local/runner/asl.js';
import { buildLocalSetup, secretStrings } from '../local/runner/config.js';
import { startSecretsExtension } from '../local/runner/secrets-extension.js';
import type { RunningSimulator } from '../local/simulator/index.js';
import { bundle, invokeInFreshNode } from './cold-start.js';
import { type Summary, summarize } from './stats.js';

export interface FirstInvocation {
  handler: string;
  importMs: Summary;
  invokeMs: Summary;
  /** process start → first invocation answered */
  readyMs: Summary;
}

/** The request every run plans; one Linux clone. */
const REQUEST = {
  requesterId: 'bench/cold-start',
  namePrefix: 'bench-cold',
  sources: [{ source: 'linux', count: 1 }],
};

export async function firstInvocations(sim: RunningSimulator, runs = 3): Promise<FirstInvocation[]> {
  const setup = buildLocalSetup({ simulator: sim });
  // The handlers fetch their secrets as on AWS: from the Parameters and Secrets extension's API, here local.
  const extension = await startSecretsExtension();
  extension.put(secretStrings(setup));
  const env = {
    ...process.env,
    WORKFLOW_CONFIG: JSON.stringify(setup.config),
    AWS_REGION: 'us-east-1',
    ...extension.env(),
  };
  try {
    return await invokeBoth(env, runs);
  } finally {
    await extension.stop();
  }
}

async function invokeBoth(env: NodeJS.ProcessEnv, runs: number): Promise<FirstInvocation[]> {
  const results: FirstInvocation[] = [];
  let plan: unknown;
  for (const handler of ['validate-request', 'verify-source-frozen']) {
    const file = await bundle(join(REPO_ROOT, 'lambdas', handler, 'handler.ts'), handler);
    const event = handler === 'validate-request' ? { request: REQUEST, executionName: 'bench-cold' } : plan;
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const r = await invokeInFreshNode(file, env, event, {});
      if (r.error) throw new Error(`${handler} from its bundle: ${r.error.name}: ${r.error.message}`);
      if (handler === 'validate-request') plan = r.output;
      samples.push(r);
    }
    results.push({
      handler,
      importMs: summarize(samples.map((s) => s.importMs)),
      invokeMs: summarize(samples.map((s) => s.invokeMs)),
      readyMs: summarize(samples.map((s) => s.readyMs)),
    });
  }
  return results;
}
