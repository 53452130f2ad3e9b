// Reads the ASL file and derives what the stack needs from it: the Lambda functions (from the
// `${<PascalState>FunctionArn}` placeholders, ADR 0001, parsed by statemachines/placeholders.ts like the
// local runner does) and the longest Task timeout per function.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EVENT_BUS_PLACEHOLDER,
  forEachObject,
  functionPlaceholders,
  kebab,
  placeholdersIn,
} from '../statemachines/placeholders.js';

export const ASL_PATH = 'statemachines/instant-clone.asl.json';
export { EVENT_BUS_PLACEHOLDER, kebab };
/** Every distinct `${Name}` in the text, sorted. */
export const placeholdersOf = placeholdersIn;

export interface AslFunction {
  /** PascalCase state name, e.g. WaitForIp. */
  state: string;
  /** Placeholder name without `${}`, e.g. WaitForIpFunctionArn. */
  placeholder: string;
  /** Handler entry relative to the repo root, e.g. lambdas/wait-for-ip/handler.ts. */
  entry: string;
  /** Largest `TimeoutSeconds` of a Task calling this function (undefined if none is set). */
  taskTimeoutSeconds?: number;
}

export interface AslDocument {
  path: string;
  text: string;
  placeholders: string[];
  functions: AslFunction[];
}

/** Records the largest Task TimeoutSeconds per function placeholder. */
function taskTimeouts(definition: unknown): Map<string, number> {
  const out = new Map<string, number>();
  forEachObject(definition, (obj) => {
    if (obj.Type !== 'Task' || typeof obj.TimeoutSeconds !== 'number') return;
    const names = placeholdersOf(JSON.stringify({ r: obj.Resource, p: obj.Parameters, a: obj.Arguments }));
    for (const name of names) out.set(name, Math.max(out.get(name) ?? 0, obj.TimeoutSeconds));
  });
  return out;
}

/** `lambdasDir`: where `<kebab-state>/handler.ts` live (tests point it at fixtures). */
export function readAsl(root: string, path = ASL_PATH, lambdasDir = 'lambdas'): AslDocument {
  const file = resolve(root, path);
  if (!existsSync(file)) throw new Error(`State machine definition not found: ${file}`);
  const text = readFileSync(file, 'utf8');
  const definition: unknown = JSON.parse(text);
  const placeholders = placeholdersOf(text);
  const timeouts = taskTimeouts(definition);
  let described: ReturnType<typeof functionPlaceholders>;
  try {
    described = functionPlaceholders(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const functions = described.map(({ placeholder, function: state, handler }): AslFunction => {
    const fn: AslFunction = { state, placeholder, entry: handler.replace(/^lambdas\//, `${lambdasDir}/`) };
    const timeout = timeouts.get(placeholder);
    if (timeout !== undefined) fn.taskTimeoutSeconds = timeout;
    return fn;
  });
  return { path: file, text, placeholders, functions };
}
