// Argument parsing shared by the pipeline verbs: node:util parseArgs, plus the options every verb takes.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit-codes.js';

/** Options every pipeline verb accepts (where to find the state machine). */
export const CONNECTION_OPTIONS = {
  'state-machine': { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const CONNECTION_HELP = `Connection (every command):
  --state-machine ARN    the instant-clone state machine (default: $INSTANT_CLONE_STATE_MACHINE_ARN)
  --region REGION        AWS region (default: the SDK's: $AWS_REGION, the profile, or the ARN's region)
  --endpoint-url URL     another Step Functions endpoint, e.g. npm run local-aws's
                         (the SDK also reads $AWS_ENDPOINT_URL_SFN and $AWS_ENDPOINT_URL)
  -h, --help             this help`;

export interface Connection {
  stateMachineArn: string;
  region?: string;
  endpointUrl?: string;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with the connection options added; a parse error becomes a UsageError. */
export function parseCommand<O extends Options>(argv: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...CONNECTION_OPTIONS, ...options },
      strict: true,
      allowPositionals: positionals > 0,
    });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** --state-machine / $INSTANT_CLONE_STATE_MACHINE_ARN, --region, --endpoint-url. */
export function connection(
  values: {
    'state-machine'?: string | undefined;
    region?: string | undefined;
    'endpoint-url'?: string | undefined;
  },
  env: Record<string, string | undefined> = process.env,
): Connection {
  const stateMachineArn = values['state-machine'] ?? env.INSTANT_CLONE_STATE_MACHINE_ARN;
  if (!stateMachineArn) {
    throw new UsageError('give --state-machine ARN or set INSTANT_CLONE_STATE_MACHINE_ARN');
  }
  if (!/^arn:[\w-]+:states:[\w-]*:\d*:stateMachine:[\w-]+/.test(stateMachineArn)) {
    throw new UsageError(`--state-machine: '${stateMachineArn}' is not a state machine ARN`);
  }
  return {
    stateMachineArn,
    ...(values.region ? { region: values.region } : {}),
    ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
  };
}

/** `90`, `90s`, `15m`, `2h` → seconds. */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
  if (!m) throw new UsageError(`${flag}: '${value}' is not a duration (e.g. 900, 90s, 15m, 2h)`);
  const n = Number(m[1]);
  const seconds = n * ({ s: 1, m: 60, h: 3600 }[m[2] ?? 's'] ?? 1);
  if (seconds <= 0) throw new UsageError(`${flag}: must be more than 0`);
  return seconds;
}

/** A non-negative number (minutes of a lease). */
export function parseMinutes(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag}: '${value}' is not a number of minutes`);
  }
  return n;
}

/** One of the allowed values. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag}: '${value}' is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
