// `instant-clone preflight`: connects to vCenter directly (no AWS) and checks what VerifySourceFrozen checks,
// so an operator on the VPN learns before the first run whether a source can be instant-cloned.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type MoRef, retrieveProperties, VsphereClient } from '../lambdas/vsphere/index.js';
import { toWorkflowError } from '../lambdas/workflow/faults.js';
import { checkVcenterVersion, MIN_VERSION } from '../lambdas/workflow/session.js';
import { checkSource, HOST_PATHS, VM_PATHS } from '../lambdas/workflow/source-check.js';
import { findVm } from '../lambdas/workflow/vsphere-ops.js';
import { untrustedCertificateCode, untrustedCertificateMessage } from './tls-trust.js';
import { checkVcenterUrl } from './vcenter-url.js';

const help = `Usage: instant-clone preflight --url <https://vcenter/sdk> --username <user> --source <inventory path>
                              [--insecure] [--ca <pem file>] [--json]

Checks login, vCenter API version >= ${MIN_VERSION}, that the source VM exists, that its ESXi host is >= ${MIN_VERSION},
and that the source is powered on and frozen. The password is read from the VSPHERE_PASSWORD environment variable.
Exit status: 0 when every check passes, 1 when one fails, 2 for a usage error.`;

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

interface Outcome {
  ok: boolean;
  checks: Check[];
  error?: { name: string; message: string };
}

class UsageError extends Error {
  override name = 'UsageError';
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      username: { type: 'string' },
      source: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      ca: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { help: true as const, json: values.json };
  const missing = (['url', 'username', 'source'] as const).filter((k) => !values[k]);
  if (missing.length > 0) throw new UsageError(`missing --${missing.join(', --')}`);
  const url = checkVcenterUrl(values.url as string);
  if ('problem' in url) throw new UsageError(url.problem);
  const password = process.env.VSPHERE_PASSWORD;
  if (!password)
    throw new UsageError('set the vCenter password in the VSPHERE_PASSWORD environment variable');
  let caPem: string | undefined;
  if (values.ca) {
    try {
      caPem = readFileSync(values.ca, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --ca ${values.ca}: ${(error as Error).message}`);
    }
  }
  return {
    help: false as const,
    json: values.json,
    url: values.url as string,
    username: values.username as string,
    source: values.source as string,
    password,
    insecure: values.insecure,
    caPem,
  };
}

/** Runs the checks in order and stops at the first failure, as each later check needs the earlier ones. */
async function check(o: Exclude<ReturnType<typeof parse>, { help: true }>): Promise<Outcome> {
  const checks: Check[] = [];
  const pass = (name: string, detail: string) => checks.push({ check: name, ok: true, detail });
  let client: VsphereClient | undefined;
  let step = 'login';
  try {
    client = await VsphereClient.connect({
      url: o.url,
      username: o.username,
      password: o.password,
      insecure: o.insecure,
      ...(o.caPem ? { caPem: o.caPem } : {}),
      logger: { debug() {}, info() {}, error() {}, warn: (m: unknown) => console.error(`warning: ${m}`) },
    });
    pass('login', `logged in to ${o.url} as ${o.username}`);
    step = 'vcenter-version';
    const about = client.serviceContent.about;
    checkVcenterVersion(client);
    pass(step, `${about.fullName ?? `vCenter ${about.version}`} (API ${about.apiVersion}) >= ${MIN_VERSION}`);
    step = 'source-exists';
    const vm = await findVm(client, o.source);
    if (!vm) {
      const { SourceNotFoundError } = await import('../lambdas/workflow/errors.js');
      throw new SourceNotFoundError(`source ${o.source} does not exist`);
    }
    pass(step, `${o.source} is ${vm.value}`);
    step = 'source-ready';
    const props = (await retrieveProperties(client, [vm], VM_PATHS)).get(vm.value) ?? {};
    const hostRef = props['runtime.host'] as MoRef | undefined;
    const host = hostRef
      ? ((await retrieveProperties(client, [hostRef], HOST_PATHS)).get(hostRef.value) ?? {})
      : {};
    const facts = checkSource(`source ${o.source}`, vm, props, host, null);
    pass(
      step,
      `on host ${facts.hostName} (ESXi ${String(host['config.product.version'])}), powered on and frozen` +
        (facts.ip ? `, source IP ${facts.ip}` : ''),
    );
    return { ok: true, checks };
  } catch (error) {
    const untrusted = step === 'login' ? untrustedCertificateCode(error) : undefined;
    if (untrusted) {
      const message = untrustedCertificateMessage(o.url, untrusted);
      checks.push({ check: step, ok: false, detail: message });
      return { ok: false, checks, error: { name: 'CertificateNotTrusted', message } };
    }
    const failure = toWorkflowError(error, step === 'login' ? 'login' : 'verify', o.source);
    checks.push({ check: step, ok: false, detail: failure.message });
    return { ok: false, checks, error: { name: failure.name, message: failure.message } };
  } finally {
    await client?.close().catch(() => undefined);
  }
}

function print(outcome: Outcome): void {
  for (const c of outcome.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.check.padEnd(16)} ${c.detail}`);
  if (outcome.error) console.log(`\n${outcome.error.name}: ${outcome.error.message}`);
  else console.log('\nReady: this source can be instant-cloned.');
}

/** Entry point of `instant-clone preflight`; resolves to the exit code. */
export async function runPreflight(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (argv.includes('--json'))
      console.log(JSON.stringify({ ok: false, error: { name: 'UsageError', message } }));
    else console.error(`instant-clone preflight: ${message}\n\n${help}`);
    return 2;
  }
  if (options.help) {
    console.log(help);
    return 0;
  }
  const outcome = await check(options);
  if (options.json) console.log(JSON.stringify(outcome));
  else print(outcome);
  return outcome.ok ? 0 : 1;
}
