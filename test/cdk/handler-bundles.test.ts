// Every real handler bundled exactly as the stack bundles it (cdk/constructs/handler-bundle.ts, the bench's
// bundles too): each stays under 1 MB, carries only what it uses, loads in a plain Node process with the stack's
// NODE_OPTIONS, and a vCenter handler works from its bundle against the simulator over real SOAP and TLS, with
// node-soap's HTTP stack and node:http replaced as the bundle replaces them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  bundleWithSizes,
  handlerDirs,
  importInFreshNode,
  invokeInFreshNode,
} from '../../bench/cold-start.js';
import { handlerNeeds } from '../../cdk/handler-needs.js';
import { REPO_ROOT } from '../../local/runner/asl.js';
import { buildLocalSetup, secretStrings } from '../../local/runner/config.js';
import { startSecretsExtension } from '../../local/runner/secrets-extension.js';
import { type RunningSimulator, startSimulator } from '../../local/simulator/index.js';

/** The issue-9 budget per handler bundle (index.mjs; its source map and the WSDL sit beside it). */
const MAX_BUNDLE_BYTES = 1_000_000;
/** Only node-soap's own HTTP client uses these; the bundle aliases them to a stub that throws. */
const SOAP_HTTP_STACK = ['axios', 'axios-ntlm', 'form-data', 'mime-db', 'whatwg-mimetype', 'formidable'];
/** What only vCenter callers need: the SOAP client (and sax, which it and our response decoder use). */
const VCENTER_ONLY = ['soap', 'sax'];
/**
 * In no handler (ADR 0010): credentials come from the Parameters and Secrets extension over HTTP, and responses
 * are decoded with sax.
 */
const NOWHERE = ['@aws-sdk/client-secrets-manager', '@middy/secrets-manager', '@xmldom/xmldom'];

const out = mkdtempSync(join(tmpdir(), 'ic-handler-bundles-'));
const bundles = new Map<string, { file: string; packages: string[]; bytes: number }>();

describe('handler bundles as the stack builds them', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    for (const dir of handlerDirs()) {
      const { outfile, byPackage } = await bundleWithSizes(
        join(REPO_ROOT, 'lambdas', dir, 'handler.ts'),
        dir,
        out,
      );
      bundles.set(dir, {
        file: outfile,
        packages: byPackage.map(([p]) => p),
        bytes: readFileSync(outfile).length,
      });
    }
    sim = await startSimulator({ timeScale: 0.01 });
  }, 300_000);

  afterAll(async () => {
    expect(sim.clones()).toEqual([]);
    await sim.stop();
  });

  it('keeps every handler under 1 MB, with node-soap’s HTTP stack left out and vCenter code only where it is used', () => {
    expect(bundles.size).toBe(handlerDirs().length);
    for (const [dir, b] of bundles) {
      expect(b.bytes, dir).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect(
        b.packages.filter((p) => NOWHERE.includes(p)),
        dir,
      ).toEqual([]);
      expect(
        b.packages.filter((p) => SOAP_HTTP_STACK.includes(p)),
        dir,
      ).toEqual([]);
      const needs = handlerNeeds(REPO_ROOT, `lambdas/${dir}/handler.ts`);
      if (!needs.vcenter)
        expect(
          b.packages.filter((p) => VCENTER_ONLY.includes(p)),
          dir,
        ).toEqual([]);
    }
    // The vCenter handlers do carry node-soap, and with it the stub standing in for its HTTP client.
    const verify = bundles.get('verify-source-frozen');
    expect(verify?.packages).toContain('soap');
    expect(readFileSync(verify?.file as string, 'utf8')).toContain(
      "node-soap's own HTTP client is not in this bundle",
    );
  });

  it('loads every bundle in a plain Node process with the stack’s NODE_OPTIONS', {
    timeout: 120_000,
  }, async () => {
    for (const [dir, b] of bundles) {
      const run = await importInFreshNode(b.file, { ...process.env, AWS_REGION: 'eu-central-1' });
      expect(run.importMs, dir).toBeGreaterThan(0);
    }
  });

  it('a failing handler reports a stack that names our sources, through the bundle’s source map, without --enable-source-maps', {
    timeout: 60_000,
  }, async () => {
    const setup = buildLocalSetup({ simulator: sim });
    const env = { ...process.env, WORKFLOW_CONFIG: JSON.stringify(setup.config), AWS_REGION: 'eu-central-1' };
    const failed = await invokeInFreshNode(
      bundles.get('validate-request')?.file as string,
      env,
      { request: { requesterId: 'test/bundles' } },
      {},
    );
    expect(failed.error?.name).toBe('TypeError');
    expect(failed.error?.stack).toMatch(/lambdas\/workflow\/task-handler\.ts:\d+:\d+/);
    expect(failed.error?.stack).not.toMatch(/index\.mjs:\d+/);
  });

  it('plans a clone and verifies its source from the bundles against the simulator over SOAP and TLS, its secret fetched from the Parameters and Secrets extension API', {
    timeout: 120_000,
  }, async () => {
    const setup = buildLocalSetup({ simulator: sim });
    expect(setup.config.vcenter.url).toMatch(/^https:/);
    const extension = await startSecretsExtension();
    onTestFinished(() => extension.stop());
    extension.put(secretStrings(setup));
    const env = {
      ...process.env,
      WORKFLOW_CONFIG: JSON.stringify(setup.config),
      AWS_REGION: 'eu-central-1',
      ...extension.env(),
    };
    const request = {
      requesterId: 'test/bundles',
      namePrefix: 'bundle-test',
      sources: [{ source: 'linux', count: 1 }],
    };
    const planned = await invokeInFreshNode(
      bundles.get('validate-request')?.file as string,
      env,
      { request, executionName: 'bundle-test' },
      {},
    );
    expect(planned.error).toBeUndefined();
    const loginsBefore = sim.stats().calls.Login ?? 0;
    const verified = await invokeInFreshNode(
      bundles.get('verify-source-frozen')?.file as string,
      env,
      planned.output,
      {},
    );
    expect(verified.error).toBeUndefined();
    const output = verified.output as { clones: { sourcePath: string; sourceVm: { hostName: string } }[] };
    expect(output.clones).toHaveLength(1);
    expect(output.clones[0]?.sourcePath).toBe(sim.sources.linux);
    expect(output.clones[0]?.sourceVm.hostName).toEqual(expect.any(String));
    expect(sim.stats().calls.Login ?? 0).toBe(loginsBefore + 1);
    // VerifySourceFrozen needs the vCenter account only (its needs.ts), and read it once
    expect(extension.requests()).toEqual({ [setup.config.vcenter.secretId]: 1 });
  });
});
