// How acquire and status print a run's clones for machines: JSON, shell exports, GitHub step outputs, dotenv.
// Variable names are documented in docs/pipelines.md ("Output formats").

export const CLONE_FORMATS = ['json', 'env', 'github', 'dotenv'] as const;
export type CloneFormat = (typeof CLONE_FORMATS)[number];

export interface AcquiredClone {
  name: string;
  ip: string;
  os: string;
  source: string;
}

/** What acquire prints (and status, for a run that holds clones). */
export interface AcquiredRun {
  runId: string;
  executionArn: string;
  leaseExpiresAt: string;
  clones: AcquiredClone[];
}

/** `linux-2` → `LINUX_2`: a source name as part of a variable name. */
export function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The run as variable → value pairs, in a stable order. */
export function runVariables(run: AcquiredRun): [string, string][] {
  const vars: [string, string][] = [
    ['INSTANT_CLONE_RUN_ID', run.runId],
    ['INSTANT_CLONE_EXECUTION_ARN', run.executionArn],
    ['INSTANT_CLONE_LEASE_EXPIRES_AT', run.leaseExpiresAt],
    ['INSTANT_CLONE_COUNT', String(run.clones.length)],
    ['INSTANT_CLONE_IPS', run.clones.map((c) => c.ip).join(' ')],
    ['INSTANT_CLONE_NAMES', run.clones.map((c) => c.name).join(' ')],
  ];
  const sources = [...new Set(run.clones.map((c) => c.source))];
  for (const source of sources) {
    const ips = run.clones.filter((c) => c.source === source).map((c) => c.ip);
    vars.push([`INSTANT_CLONE_IPS_${envSuffix(source)}`, ips.join(' ')]);
  }
  run.clones.forEach((c, i) => {
    vars.push(
      [`INSTANT_CLONE_${i}_NAME`, c.name],
      [`INSTANT_CLONE_${i}_IP`, c.ip],
      [`INSTANT_CLONE_${i}_OS`, c.os],
      [`INSTANT_CLONE_${i}_SOURCE`, c.source],
    );
  });
  return vars;
}

/** POSIX single-quoting: safe to `eval` whatever the value holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** dotenv (docker --env-file, GitLab's artifacts:reports:dotenv): KEY=value, one line each, no quoting. */
function dotenvLine([name, value]: [string, string]): string {
  if (/[\r\n]/.test(value)) throw new Error(`${name} holds a line break and cannot be written as dotenv`);
  return `${name}=${value}`;
}

/**
 * GitHub step outputs (append to $GITHUB_OUTPUT): kebab-case names, `clones` as compact JSON so a later step
 * can `fromJSON(steps.<id>.outputs.clones)`.
 */
function githubOutputs(run: AcquiredRun): string[] {
  const lines = [
    `run-id=${run.runId}`,
    `execution-arn=${run.executionArn}`,
    `lease-expires-at=${run.leaseExpiresAt}`,
    `count=${run.clones.length}`,
    `ips=${run.clones.map((c) => c.ip).join(' ')}`,
    `names=${run.clones.map((c) => c.name).join(' ')}`,
  ];
  for (const source of new Set(run.clones.map((c) => c.source))) {
    const ips = run.clones.filter((c) => c.source === source).map((c) => c.ip);
    lines.push(`ips-${envSuffix(source).toLowerCase().replace(/_/g, '-')}=${ips.join(' ')}`);
  }
  lines.push(`clones=${JSON.stringify(run.clones)}`);
  return lines;
}

export function formatRun(run: AcquiredRun, format: CloneFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(run, null, 2);
    case 'env':
      return runVariables(run)
        .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
        .join('\n');
    case 'dotenv':
      return runVariables(run).map(dotenvLine).join('\n');
    case 'github':
      return githubOutputs(run).join('\n');
  }
}
