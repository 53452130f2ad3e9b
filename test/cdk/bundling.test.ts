// The one test that really bundles (local esbuild, no Docker): checks what lands in each Lambda bundle and
// prints the sizes, so a dependency that balloons cold starts shows up in CI logs.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../cdk/app.js';
import { startSecretsExtension } from '../../local/runner/secrets-extension.js';
import { startSimulator } from '../../local/simulator/index.js';
import type { Json } from './helpers.js';
import { exampleConfig, FIXTURE_ASL, FIXTURE_LAMBDAS, writeConfig } from './helpers.js';

const execFileAsync = promisify(execFile);

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((n, name) => {
    const p = join(dir, name);
    const st = statSync(p);
    return n + (st.isDirectory() ? dirSize(p) : st.size);
  }, 0);
}

describe('real esbuild bundling', () => {
  it('bundles every function as ESM with the WSDL and CA, and reports sizes', {
    timeout: 300_000,
  }, async () => {
    const config = exampleConfig() as { vcenter: Record<string, unknown> };
    config.vcenter.caBundlePath = 'test/fixtures/cdk/vcenter-ca.pem';
    const outdir = mkdtempSync(join(tmpdir(), 'ic-bundle-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const { stack } = buildApp({
      app,
      configPath: writeConfig(config),
      aslPath: FIXTURE_ASL,
      lambdasDir: FIXTURE_LAMBDAS,
    });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties: Json; Metadata?: Record<string, string> }>;
    };
    const rows: { function: string; bytes: number; files: number }[] = [];
    let reaperBundle: { dir: string; env: Record<string, string> } | undefined;
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      // CDK's own AwsCustomResource provider (the DynamoDB prefix-list lookup, network.ts) is not bundled by us
      if (id.startsWith('AWS679f53fac002430cb0da5b7982bd2287')) continue;
      const assetPath = r.Metadata?.['aws:asset:path'];
      expect(assetPath, id).toBeDefined();
      const dir = join(outdir, assetPath as string);
      const files = readdirSync(dir);
      expect(files).toContain('index.mjs');
      expect(files).toContain('index.mjs.map');
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      // The createRequire banner lets CommonJS dependencies (node-soap) call require() inside an ESM bundle.
      expect(code.startsWith('import { createRequire as __icCreateRequire }')).toBe(true);
      if (r.Properties.Environment.Variables.VSPHERE_WSDL_DIR) {
        expect(existsSync(join(dir, 'wsdl', 'vim25.wsdl')), `${id} wsdl`).toBe(true);
        expect(readFileSync(join(dir, 'vcenter-ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
      }
      if (/^(Reaper|Release|StartRun|TeardownRun)Function/.test(id)) {
        // Load the bundle in a plain Node process: catches "Dynamic require of ... is not supported" and
        // missing files, which only show up at cold start otherwise.
        const probe = `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); if (typeof m.handler !== 'function') process.exit(3);`;
        execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
          env: { ...process.env, ...r.Properties.Environment.Variables, AWS_REGION: 'eu-central-1' },
          stdio: 'pipe',
        });
      }
      if (/^(Reaper|TeardownRun)Function/.test(id)) {
        // The stack passes handler-bundle.ts's aliases to the esbuild CLI: node-soap's HTTP stack is the stub.
        expect(code).toContain("node-soap's own HTTP client is not in this bundle");
        expect(code.length, id).toBeLessThan(1_000_000);
      }
      if (/^ReaperFunction/.test(id)) reaperBundle = { dir, env: r.Properties.Environment.Variables };
      rows.push({ function: id.replace(/Function.*$/, ''), bytes: dirSize(dir), files: files.length });
    }
    expect(rows.length).toBe(8);
    console.table(rows.map((r) => ({ ...r, kB: Math.round(r.bytes / 1024) })));
    // The reaper carries the vSphere client, node-soap and the SDK clients; keep it well below Lambda's 50 MB.
    const reaper = rows.find((r) => r.function === 'Reaper');
    expect(reaper?.bytes).toBeGreaterThan(100_000);
    expect(reaper?.bytes).toBeLessThan(20_000_000);

    // The reaper is a real vSphere handler: run its bundle against the simulator, so node-soap parses the WSDL
    // from where soap-client.ts looks for it inside the bundle (next to index.mjs) and logs in over SOAP.
    expect(reaperBundle).toBeDefined();
    const { dir, env } = reaperBundle as { dir: string; env: Record<string, string> };
    // NODE_EXTRA_CA_CERTS names the CA where the bundle puts it (/var/task is the bundle's root on Lambda).
    const caPath = env.NODE_EXTRA_CA_CERTS?.replace(/^\/var\/task\//, `${dir}/`);
    expect(caPath && existsSync(caPath), env.NODE_EXTRA_CA_CERTS).toBe(true);
    const sim = await startSimulator({ https: false, timeScale: 0.01 });
    // The vCenter account comes from the Parameters and Secrets extension's API, as on AWS (here the local one).
    const extension = await startSecretsExtension();
    try {
      const workflowConfig = JSON.parse(env.WORKFLOW_CONFIG as string);
      workflowConfig.vcenter = { ...workflowConfig.vcenter, url: sim.url };
      extension.put({
        [workflowConfig.vcenter.secretId]: JSON.stringify({ username: sim.username, password: sim.password }),
      });
      const invoke = [
        `const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});`,
        'const report = await handler({}, { getRemainingTimeInMillis: () => 120000 });',
        "console.log('REPORT ' + JSON.stringify(report));",
      ].join('\n');
      const probeEnv: NodeJS.ProcessEnv = {
        ...process.env,
        ...env,
        NODE_EXTRA_CA_CERTS: caPath,
        WORKFLOW_CONFIG: JSON.stringify(workflowConfig),
        AWS_REGION: 'eu-central-1',
        ...extension.env(),
      };
      // Not on Lambda: no report event.
      delete probeEnv.AWS_LAMBDA_FUNCTION_NAME;
      delete probeEnv.EVENT_BUS_NAME;
      const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', invoke], {
        env: probeEnv,
      });
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      expect(line, stdout).toBeDefined();
      const report = JSON.parse((line as string).slice('REPORT '.length));
      expect(report.scanned).toBe(sim.inventory().length);
      expect(report.failed).toEqual([]);
      expect(Object.values(extension.requests())).toEqual([1]);
    } finally {
      await extension.stop();
      await sim.stop();
    }
  });
});
