// Loading the ASL file and replacing its `${Placeholders}` the way the CDK stack's definitionSubstitutions do.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ASL_PATH,
  EVENT_BUS_PLACEHOLDER,
  functionPlaceholders,
  kebab,
  placeholdersIn,
  readAslText,
} from '../../statemachines/placeholders.js';

export { kebab };
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_ASL_PATH = ASL_PATH;

const LOCAL_ACCOUNT = 'arn:aws:lambda:us-east-1:000000000000:function:';
const PLACEHOLDER = /\$\{(\w+)\}/g;

/** A Task state found anywhere in the definition (including Map iterators and Parallel branches). */
export interface TaskStateInfo {
  name: string;
  definition: Record<string, unknown>;
}

export function readAsl(path = DEFAULT_ASL_PATH): string {
  return readAslText(path);
}

/** Every `${Name}` in the text, sorted and deduplicated (the parser the CDK stack uses too). */
export function placeholders(text: string): string[] {
  return placeholdersIn(text);
}

export function handlerPath(functionName: string, root = REPO_ROOT): string {
  return join(root, 'lambdas', kebab(functionName), 'handler.ts');
}

export function localFunctionArn(functionName: string): string {
  return `${LOCAL_ACCOUNT}${functionName}`;
}

/**
 * The local substitutions: each function ARN placeholder → a local ARN, `${EventBusName}` → a local bus.
 * Throws on a placeholder that fits neither convention.
 */
export function localSubstitutions(
  text: string,
  eventBusName = 'instant-clone-local',
): Record<string, string> {
  const subs: Record<string, string> = {};
  for (const f of functionPlaceholders(text)) subs[f.placeholder] = localFunctionArn(f.function);
  if (placeholdersIn(text).includes(EVENT_BUS_PLACEHOLDER)) subs[EVENT_BUS_PLACEHOLDER] = eventBusName;
  return subs;
}

/** Replaces every placeholder; throws on one without a value (a literal `${X}` only fails at deploy on AWS). */
export function substitute(text: string, subs: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = subs[name];
    if (value === undefined) throw new Error(`no substitution for \${${name}}`);
    return value;
  });
}

/** Walks the definition, nested iterators and branches included. */
export function taskStates(definition: Record<string, unknown>): TaskStateInfo[] {
  const found: TaskStateInfo[] = [];
  const visit = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task') found.push({ name, definition: state });
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}

/** The Lambda function a Task calls: `Parameters.FunctionName` for lambda:invoke, else the Resource ARN. */
export function lambdaFunctionOf(state: Record<string, unknown>): string | undefined {
  const resource = String(state.Resource ?? '');
  const arn = resource.startsWith('arn:aws:states:::lambda:invoke')
    ? String((state.Parameters as Record<string, unknown> | undefined)?.FunctionName ?? '')
    : resource;
  return arn.startsWith(LOCAL_ACCOUNT) ? arn.slice(LOCAL_ACCOUNT.length).split(':')[0] : undefined;
}
