// Loading the ASL file and replacing its `${Placeholders}` the way the CDK stack's definitionSubstitutions do.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_ASL_PATH = join(REPO_ROOT, 'statemachines/instant-clone.asl.json');

const LOCAL_ACCOUNT = 'arn:aws:lambda:us-east-1:000000000000:function:';
const FUNCTION_ARN = /^(\w+)FunctionArn$/;
const PLACEHOLDER = /\$\{(\w+)\}/g;

/** A Task state found anywhere in the definition (including Map iterators and Parallel branches). */
export interface TaskStateInfo {
  name: string;
  definition: Record<string, unknown>;
}

export function readAsl(path = DEFAULT_ASL_PATH): string {
  return readFileSync(path, 'utf8');
}

/** Every `${Name}` in the text, sorted and deduplicated. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();
}

/** `WaitForIpFunctionArn` → `WaitForIp`; undefined for non-function placeholders. */
export function functionOfPlaceholder(name: string): string | undefined {
  return FUNCTION_ARN.exec(name)?.[1];
}

/** `WaitForIp` → `wait-for-ip` (ADR 0001 naming convention). */
export function kebab(pascal: string): string {
  return pascal
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function handlerPath(functionName: string, root = REPO_ROOT): string {
  return join(root, 'lambdas', kebab(functionName), 'handler.ts');
}

export function localFunctionArn(functionName: string): string {
  return `${LOCAL_ACCOUNT}${functionName}`;
}

/** The local substitutions: each function ARN placeholder → a local ARN, `${EventBusName}` → a local bus. */
export function localSubstitutions(
  text: string,
  eventBusName = 'instant-clone-local',
): Record<string, string> {
  const subs: Record<string, string> = {};
  for (const name of placeholders(text)) {
    const fn = functionOfPlaceholder(name);
    if (fn) subs[name] = localFunctionArn(fn);
    else if (name === 'EventBusName') subs[name] = eventBusName;
    else throw new Error(`ASL placeholder \${${name}} has no local substitution`);
  }
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
