// docs/pipelines.md's GitHub Actions workflow, GitLab CI job and shell script, run as those systems run them
// against `npm run local-aws`, so the examples cannot rot. Blocks are marked `<!-- pipeline-example: NAME -->`.
// Steps with `uses:` (checkout, AWS login) are skipped: the test supplies what they would (credentials, and the
// command on PATH, which the docs install with npm).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, cli, type LocalAws, REPO, startLocalAws } from './local-aws.js';

const DOC = readFileSync(join(REPO, 'docs/pipelines.md'), 'utf8');

/** The fenced block right after `<!-- pipeline-example: NAME -->`. */
function example(doc: string, name: string): string {
  const m = new RegExp(`<!-- pipeline-example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`docs/pipelines.md has no block marked <!-- pipeline-example: ${name} -->`);
  return m[1];
}

let aws: LocalAws;
let bin: string;
beforeAll(async () => {
  aws = await startLocalAws();
  bin = mkdtempSync(join(tmpdir(), 'ic-bin-'));
  const shim = join(bin, 'instant-clone');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
});
afterAll(async () => {
  await aws?.stop();
});
afterEach(async () => {
  await aws.expectNoClonesLeft();
});

function pathEnv(): string {
  return `${bin}${delimiter}${process.env.PATH ?? ''}`;
}

/** Runs a script file with bash, as both CI systems' default shells do; output captured. */
function runShell(
  script: string,
  env: Record<string, string>,
  cwd: string,
  shell = ['bash', '--noprofile', '--norc', '-eo', 'pipefail'],
) {
  const file = join(cwd, `step-${Math.random().toString(16).slice(2)}.sh`);
  writeFileSync(file, script);
  const r = spawnSync(shell[0] ?? 'bash', [...shell.slice(1), file], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Outputs = Record<string, Record<string, string>>;

/** `${{ … }}` as GitHub evaluates the forms the example uses; anything else fails the test, loudly. */
function expression(
  expr: string,
  ctx: { outputs: Outputs; vars: Record<string, string>; failed: boolean },
): string | boolean {
  const terms = expr.split('&&').map((t) => t.trim());
  if (terms.length > 1)
    return terms.every((t) => expression(t, ctx) === true || expression(t, ctx) === 'true');
  const e = terms[0] ?? '';
  if (e === 'always()') return true;
  if (e === 'success()') return !ctx.failed;
  if (e === 'failure()') return ctx.failed;
  const cmp = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(e);
  if (cmp) {
    const left = String(expression(cmp[1] ?? '', ctx));
    return cmp[2] === '==' ? left === cmp[3] : left !== cmp[3];
  }
  const out = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
  if (out) return ctx.outputs[out[1] ?? '']?.[out[2] ?? ''] ?? '';
  const v = /^vars\.(\w+)$/.exec(e);
  if (v) {
    const value = ctx.vars[v[1] ?? ''];
    if (value === undefined) throw new Error(`the test defines no vars.${v[1]}`);
    return value;
  }
  throw new Error(`the docs test does not evaluate \${{ ${e} }}: extend it or simplify the example`);
}

function interpolate(text: string, ctx: Parameters<typeof expression>[1]): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => String(expression(e, ctx)));
}

/** `name=value` lines and `name<<DELIM` blocks of a $GITHUB_OUTPUT file. */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] ?? '', i + 1);
      out[heredoc[1] ?? ''] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}

/** One job of a workflow, step by step, as the GitHub runner does (bash -e, $GITHUB_OUTPUT, `if:`). */
function runGithubJob(workflow: string, opts: { failStep?: string } = {}) {
  const doc = parse(workflow) as { jobs: Record<string, { env?: Record<string, string>; steps: Step[] }> };
  const [jobName, job] = Object.entries(doc.jobs)[0] ?? [];
  if (!job || !jobName) throw new Error('the workflow has no job');
  const workdir = mkdtempSync(join(tmpdir(), 'ic-gh-'));
  const ctx = {
    outputs: {} as Outputs,
    vars: { INSTANT_CLONE_STATE_MACHINE_ARN: aws.contract.stateMachineArn },
    failed: false,
  };
  const base = {
    ...aws.env,
    PATH: pathEnv(),
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: jobName,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.com',
  };
  delete (base as Record<string, string>).INSTANT_CLONE_STATE_MACHINE_ARN;
  const ran: { step: string; code: number | null; stdout: string; stderr: string }[] = [];
  for (const step of job.steps) {
    const name = step.name ?? step.uses ?? '';
    if (step.uses) continue;
    if (!expression(step.if ?? 'success()', ctx)) continue;
    const output = join(workdir, `output-${ran.length}`);
    writeFileSync(output, '');
    const env: Record<string, string> = { ...base, GITHUB_OUTPUT: output };
    for (const [k, v] of Object.entries({ ...job.env, ...step.env })) env[k] = interpolate(String(v), ctx);
    const script =
      name === opts.failStep ? 'echo "a test failed" >&2; exit 1' : interpolate(step.run ?? '', ctx);
    const r = runShell(script, env, workdir);
    ran.push({ step: name, ...r });
    if (step.id) ctx.outputs[step.id] = readOutputs(output);
    if (r.code !== 0) ctx.failed = true;
  }
  return ran;
}

describe('docs/pipelines.md: the GitHub Actions workflow', { timeout: 300_000 }, () => {
  it('acquires two clones, hands their IPs to the next step and releases them', async () => {
    const ran = runGithubJob(example(DOC, 'github'));
    expect(ran.map((r) => [r.step, r.code])).toEqual([
      ['Get two Linux clones', 0],
      ['Test against them', 0],
      ['Give them back', 0],
    ]);
    const [acquired, tested, released] = ran;
    expect(acquired?.stderr).toContain('key from the github job');
    expect(tested?.stdout.match(/testing against 198\.1[89]\.\d+\.\d+/g)).toHaveLength(2);
    const runId = JSON.parse(released?.stdout ?? '{}').runId;
    expect(JSON.parse(released?.stdout ?? '{}')).toMatchObject({ released: true });
    await aws.expectNoClonesLeft();
    const status = JSON.parse((await cli(['status', runId, '--output', 'json'], aws.env)).stdout);
    expect(status.status).toBe('SUCCEEDED');
  });

  it('releases in the if: always() step when the tests fail', async () => {
    const ran = runGithubJob(example(DOC, 'github'), { failStep: 'Test against them' });
    expect(ran.map((r) => [r.step, r.code])).toEqual([
      ['Get two Linux clones', 0],
      ['Test against them', 1],
      ['Give them back', 0],
    ]);
    expect(JSON.parse(ran[2]?.stdout ?? '{}')).toMatchObject({ released: true });
  });
});

describe('docs/pipelines.md: the GitLab CI job', { timeout: 300_000 }, () => {
  it('acquires in before_script, uses the IPs in script and releases in after_script (a new shell)', async () => {
    const doc = parse(example(DOC, 'gitlab')) as Record<
      string,
      {
        variables?: Record<string, string>;
        before_script: string[];
        script: string[];
        after_script: string[];
      }
    >;
    const job = doc.integration;
    if (!job) throw new Error('the GitLab example has no job "integration"');
    const workdir = mkdtempSync(join(tmpdir(), 'ic-gl-'));
    // CI/CD variables of the project, then the job's variables expanded from them, as GitLab does.
    const { INSTANT_CLONE_STATE_MACHINE_ARN: arn, ...rest } = aws.env;
    const cicd: Record<string, string> = { INSTANT_CLONE_STATE_MACHINE_ARN: arn ?? '' };
    const env: Record<string, string> = {
      ...rest,
      PATH: pathEnv(),
      GITLAB_CI: 'true',
      CI_JOB_ID: String(Date.now()),
      CI_SERVER_HOST: 'gitlab.example.com',
      CI_JOB_URL: `https://gitlab.example.com/acme/app/-/jobs/${Date.now()}`,
    };
    for (const [k, v] of Object.entries(job.variables ?? {})) {
      env[k] = String(v).replace(/\$(\w+)/g, (_, name: string) => cicd[name] ?? env[name] ?? '');
    }
    const main = runShell([...job.before_script, ...job.script].join('\n'), env, workdir);
    // after_script runs whatever happened, in a new shell
    const after = runShell(job.after_script.join('\n'), env, workdir);
    expect(main.code, main.stderr).toBe(0);
    expect(main.stderr).toContain('key from the gitlab job');
    expect(main.stdout.match(/testing against 198\.1[89]\.\d+\.\d+/g)).toHaveLength(2);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ released: true });
  });
});

describe('docs/pipelines.md: the shell script', { timeout: 300_000 }, () => {
  it('acquires, shows, extends and releases through its trap', async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'ic-sh-'));
    const r = runShell(example(DOC, 'shell'), { ...aws.env, PATH: pathEnv() }, workdir, ['sh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^linux clone: 198\.1[89]\.\d+\.\d+, windows clone: 198\.1[89]\.\d+\.\d+$/m);
    expect(r.stdout).toContain('lease until');
    expect(r.stdout).toMatch(/"released": true/);
  });
});
