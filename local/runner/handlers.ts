// Imports the real handlers, derived from the ASL's function placeholders (ADR 0001): adding a state
// needs no change here.

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { handlerPath, REPO_ROOT } from './asl.js';
import type { LambdaHandler } from './types.js';

export async function importHandlers(
  functionNames: string[],
  given: Record<string, LambdaHandler> = {},
  root = REPO_ROOT,
): Promise<Record<string, LambdaHandler>> {
  const handlers: Record<string, LambdaHandler> = { ...given };
  for (const fn of functionNames) {
    if (handlers[fn]) continue;
    const path = handlerPath(fn, root);
    if (!existsSync(path)) throw new Error(`local runner: ${fn} has no handler at ${path}`);
    const mod = (await import(pathToFileURL(path).href)) as { handler?: LambdaHandler };
    if (typeof mod.handler !== 'function') throw new Error(`local runner: ${path} exports no handler`);
    handlers[fn] = mod.handler;
  }
  return handlers;
}
