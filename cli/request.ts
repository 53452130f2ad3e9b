// The execution input an acquire or fleet sends: --request FILE and/or --source NAME=COUNT, plus the flags that
// fill the request's other fields. The workflow validates it (ValidateRequest); here only the shape of the flags.
import { readFileSync } from 'node:fs';
import { UsageError } from './exit-codes.js';

export interface RequestFlags {
  request?: string | undefined;
  source?: string[] | undefined;
  requester?: string | undefined;
  'name-prefix'?: string | undefined;
  'lease-minutes'?: number | undefined;
}

export type Request = Record<string, unknown> & {
  requesterId?: string;
  namePrefix?: string;
  sources?: { source: string; count: number }[];
  leaseMinutes?: number;
};

/** `linux=2` → `{ source: 'linux', count: 2 }`; a bare `linux` means one clone. */
export function parseSourceFlag(value: string): { source: string; count: number } {
  const m = /^([^=\s]+)(?:=(\d+))?$/.exec(value.trim());
  const count = Number(m?.[2] ?? '1');
  if (!m?.[1] || !Number.isInteger(count) || count < 1) {
    throw new UsageError(`--source: '${value}' is not NAME=COUNT (e.g. --source linux=2)`);
  }
  return { source: m[1], count };
}

function readRequestFile(path: string): Request {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new UsageError(`--request: cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--request: ${path} is not JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`--request: ${path} must hold a JSON object (README: The request)`);
  }
  return parsed as Request;
}

/**
 * The request: the file's fields, then the flags over them; `defaults` fill what neither gives
 * (requester from the CI job, name prefix). The result is deterministic, so a retried acquire sends the
 * same input and Step Functions treats it as the same execution.
 */
export function buildRequest(
  flags: RequestFlags,
  defaults: { requesterId: string; namePrefix: string },
): Request {
  const request: Request = flags.request ? readRequestFile(flags.request) : {};
  if (flags.source?.length) request.sources = flags.source.map(parseSourceFlag);
  if (!request.sources) throw new UsageError('give --source NAME=COUNT (repeatable) or --request FILE');
  if (flags.requester) request.requesterId = flags.requester;
  if (flags['name-prefix']) request.namePrefix = flags['name-prefix'];
  if (flags['lease-minutes'] !== undefined) request.leaseMinutes = flags['lease-minutes'];
  request.requesterId ??= defaults.requesterId;
  request.namePrefix ??= defaults.namePrefix;
  return request;
}
