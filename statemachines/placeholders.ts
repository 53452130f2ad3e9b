// What the ASL file asks of its surroundings, for the CDK stack, the local runner and the tests:
// `${<PascalState>FunctionArn}` placeholders (code at lambdas/<kebab-state>/handler.ts, ADR 0001),
// `${EventBusName}`, and the error names its Retry/Catch rules match.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ASL_PATH = fileURLToPath(new URL('./instant-clone.asl.json', import.meta.url));
export const EVENT_BUS_PLACEHOLDER = 'EventBusName';

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;
const FUNCTION_PLACEHOLDER = /^([A-Z][A-Za-z0-9]*)FunctionArn$/;

export interface FunctionPlaceholder {
  placeholder: string;
  /** PascalCase function (state) name, e.g. WaitForIp */
  function: string;
  /** repo-relative handler path, e.g. lambdas/wait-for-ip/handler.ts */
  handler: string;
}

export function readAslText(path = ASL_PATH): string {
  return readFileSync(path, 'utf8');
}

/** Every distinct `${Name}` in the text, sorted. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();
}

export function kebab(pascal: string): string {
  return pascal
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The function placeholders with their handler paths; throws on a placeholder that fits no convention. */
export function functionPlaceholders(text: string): FunctionPlaceholder[] {
  const out: FunctionPlaceholder[] = [];
  for (const placeholder of placeholdersIn(text)) {
    if (placeholder === EVENT_BUS_PLACEHOLDER) continue;
    const match = FUNCTION_PLACEHOLDER.exec(placeholder);
    if (!match)
      throw new Error(`\${${placeholder}} is neither \${<PascalState>FunctionArn} nor \${EventBusName}`);
    const fn = match[1] as string;
    out.push({ placeholder, function: fn, handler: `lambdas/${kebab(fn)}/handler.ts` });
  }
  return out;
}

/** Calls `visit` on every object in a parsed definition, nested Map iterators and Parallel branches included. */
export function forEachObject(node: unknown, visit: (obj: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachObject(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  visit(obj);
  for (const value of Object.values(obj)) forEachObject(value, visit);
}

/** Every name in every Retry/Catch ErrorEquals, nested Map iterators included. */
export function errorNamesIn(definition: unknown): string[] {
  const names = new Set<string>();
  forEachObject(definition, (obj) => {
    if (Array.isArray(obj.ErrorEquals)) for (const n of obj.ErrorEquals) names.add(String(n));
  });
  return [...names].sort();
}

/** Lambda's own limit: 15 minutes. */
export const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/**
 * Headroom between a Task's TimeoutSeconds and its function's timeout: up to 10 s of cold-start init (which
 * the Task's clock counts and the function's timeout does not) plus 5 s for the answer to reach Step Functions.
 */
export const TASK_TIMEOUT_HEADROOM_SECONDS = 15;

/**
 * The function timeout for a Task with this TimeoutSeconds (the CDK stack sets it, the local runner's
 * `getRemainingTimeInMillis` counts down from it). The function must give up first: handlers stop their own
 * waits a few seconds before the function times out and fail with a named error (IpTimeout, …); were the
 * Task to time out first, States.Timeout would hide that error and its retry would start while the first
 * invocation is still running against the same VM.
 */
export function lambdaTimeoutSeconds(taskTimeoutSeconds: number): number {
  return Math.max(
    1,
    Math.min(MAX_LAMBDA_TIMEOUT_SECONDS, taskTimeoutSeconds - TASK_TIMEOUT_HEADROOM_SECONDS),
  );
}
