// Parsing the local CLI's flags into runLocalWorkflow options (kept apart from cli.ts so it is testable).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkVcenterUrl } from '../../cli/vcenter-url.js';
import { nonNegativeNumber, positiveInteger } from './numbers.js';
import type { Credentials, JsonValue, RunLocalWorkflowOptions, SourceConfig } from './types.js';

export const USAGE = `Run the instant-clone workflow locally (no AWS) against any vCenter:

  npx tsx local/runner/cli.ts --url https://vc.example.com/sdk --username svc-ic@vsphere.local \\
    --source 'linux=/DC1/vm/frozen/ubuntu-a;/DC1/vm/frozen/ubuntu-b,os=linux' --guest-user linux=root \\
    --count linux=2 [--insecure | --ca vcenter-ca.pem] [--hold-seconds 60] [--max-concurrency 5]

  --url             vCenter SDK URL
  --username        vCenter account; its password comes from the env var VSPHERE_PASSWORD
  --insecure        skip TLS verification (labs only)
  --ca FILE         extra trusted CA bundle (PEM)
  --source SPEC     name=path[;path...],os=linux|windows[,nic=NAME][,refresh=COMMAND]   (repeatable)
  --guest-user N=U  guest account for source N; password from GUEST_PASSWORD_<N> (upper case) or GUEST_PASSWORD
  --count N=K       clones of source N (repeatable; default 1 per source)
  --prefix P        clone name prefix (default local)
  --hold-seconds S  keep the clones S seconds after Ready, then tear down (default 0 = release at once)
  --max-concurrency K, --ip-timeout SECONDS, --lease-minutes M
  --input FILE      use this request JSON instead of building one from --count/--prefix
  --policies FILE   enforce request policies: a deployment config (its requestPolicies) or just that object
  --svg FILE        where to write the timeline picture (default out/fleet-timeline.svg)`;

export interface CliPlan {
  options: RunLocalWorkflowOptions;
  holdSeconds: number;
  svgName?: string;
}

function pairs(list: string[] | undefined, flag: string): [string, string][] {
  return (list ?? []).map((s) => {
    const at = s.indexOf('=');
    if (at < 1) throw new Error(`${flag} expects NAME=VALUE, got '${s}'`);
    return [s.slice(0, at), s.slice(at + 1)];
  });
}

export function parseSource(spec: string): [string, SourceConfig] {
  const [head = '', ...rest] = spec.split(',');
  const at = head.indexOf('=');
  if (at < 1) throw new Error(`--source expects name=path[;path],os=linux|windows, got '${spec}'`);
  const name = head.slice(0, at);
  const paths = head
    .slice(at + 1)
    .split(';')
    .filter(Boolean);
  const fields = Object.fromEntries(
    rest.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  if (fields.os !== 'linux' && fields.os !== 'windows')
    throw new Error(`--source ${name}: os=linux or os=windows`);
  return [
    name,
    {
      paths,
      os: fields.os,
      ...(fields.nic ? { nicName: fields.nic } : {}),
      ...(fields.refresh ? { refreshCommand: fields.refresh } : {}),
    },
  ];
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliPlan {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      username: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      ca: { type: 'string' },
      source: { type: 'string', multiple: true },
      'guest-user': { type: 'string', multiple: true },
      count: { type: 'string', multiple: true },
      prefix: { type: 'string', default: 'local' },
      'hold-seconds': { type: 'string', default: '0' },
      'max-concurrency': { type: 'string' },
      'ip-timeout': { type: 'string' },
      'lease-minutes': { type: 'string', default: '60' },
      input: { type: 'string' },
      policies: { type: 'string' },
      svg: { type: 'string' },
    },
  });
  if (!values.url || !values.username) throw new Error('--url and --username are required');
  const url = checkVcenterUrl(values.url);
  if ('problem' in url) throw new Error(url.problem);
  const password = env.VSPHERE_PASSWORD;
  if (!password) throw new Error('set the vCenter password in the env var VSPHERE_PASSWORD');
  const sources = Object.fromEntries((values.source ?? []).map(parseSource));
  if (Object.keys(sources).length === 0) throw new Error('give at least one --source');

  const guest: Record<string, Credentials> = {};
  for (const [name, username] of pairs(values['guest-user'], '--guest-user')) {
    const pw = env[`GUEST_PASSWORD_${name.toUpperCase()}`] ?? env.GUEST_PASSWORD;
    if (!pw)
      throw new Error(`set GUEST_PASSWORD_${name.toUpperCase()} or GUEST_PASSWORD for --guest-user ${name}`);
    if (!sources[name]) throw new Error(`--guest-user ${name}: no --source named ${name}`);
    guest[name] = { username, password: pw };
  }
  // Refused here, before anything is created: without a guest account a clone fails after it exists.
  const unaccounted = Object.keys(sources).filter((name) => !guest[name]);
  if (unaccounted.length > 0) {
    throw new Error(
      `--guest-user is missing for ${unaccounted.map((n) => `${n} (--guest-user ${n}=USER)`).join(', ')}`,
    );
  }
  const counts = new Map(
    pairs(values.count, '--count').map(([n, k]) => {
      if (!sources[n])
        throw new Error(
          `--count ${n}=${k}: no --source named ${n} (sources: ${Object.keys(sources).join(', ')})`,
        );
      return [n, positiveInteger(`--count ${n}`, k)];
    }),
  );
  const input: JsonValue = values.input
    ? (JSON.parse(readFileSync(values.input, 'utf8')) as JsonValue)
    : {
        requesterId: `local/${env.USER ?? 'cli'}`,
        namePrefix: values.prefix ?? 'local',
        sources: Object.keys(sources).map((source) => ({ source, count: counts.get(source) ?? 1 })),
        leaseMinutes: nonNegativeNumber('--lease-minutes', values['lease-minutes'] ?? '60'),
        ...(values['max-concurrency']
          ? { maxConcurrency: positiveInteger('--max-concurrency', values['max-concurrency']) }
          : {}),
        ...(values['ip-timeout']
          ? { ipTimeoutSeconds: positiveInteger('--ip-timeout', values['ip-timeout']) }
          : {}),
      };
  const holdSeconds = nonNegativeNumber('--hold-seconds', values['hold-seconds'] ?? '0');
  const policyFile = values.policies
    ? (JSON.parse(readFileSync(values.policies, 'utf8')) as { requestPolicies?: JsonValue } & JsonValue)
    : undefined;
  return {
    options: {
      input,
      vcenter: {
        url: values.url,
        username: values.username,
        password,
        ...(values.insecure ? { insecure: true } : {}),
        ...(values.ca ? { caPem: readFileSync(values.ca, 'utf8') } : {}),
      },
      sources,
      guest,
      ...(policyFile === undefined ? {} : { requestPolicies: policyFile.requestPolicies ?? policyFile }),
      release: holdSeconds > 0 ? { afterMs: holdSeconds * 1000 } : 'immediate',
    },
    holdSeconds,
    ...(values.svg ? { svgName: values.svg } : {}),
  };
}
