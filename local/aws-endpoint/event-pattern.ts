// EventBridge content filtering for the patterns the stack deploys (cdk/event-patterns.ts): exact values,
// `exists` and `prefix`, on top-level fields and nested `detail` keys. Any other operator throws, so a pattern
// the local bus cannot honour fails loudly instead of routing differently from AWS.
import type { SharedEventPattern } from '../../cdk/event-patterns.js';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

function matchesValue(rules: unknown, value: unknown, present: boolean): boolean {
  if (!Array.isArray(rules)) {
    // A nested pattern object: every key must match in the nested value.
    if (rules === null || typeof rules !== 'object')
      throw new Error(`unsupported pattern ${JSON.stringify(rules)}`);
    if (value === null || typeof value !== 'object') return false;
    return matchesObject(rules as Record<string, unknown>, value as Record<string, unknown>);
  }
  return rules.some((rule) => {
    if (rule === null || typeof rule !== 'object')
      return present && (Array.isArray(value) ? value.includes(rule) : value === rule);
    const [op, arg] = Object.entries(rule as Record<string, unknown>)[0] ?? [];
    if (op === 'exists') return arg === present;
    if (op === 'prefix') return present && typeof value === 'string' && value.startsWith(String(arg));
    throw new Error(`local event bus: unsupported pattern operator ${op}`);
  });
}

function matchesObject(pattern: Record<string, unknown>, value: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rules]) => matchesValue(rules, value[key], key in value));
}

export function matchesPattern(pattern: SharedEventPattern, event: BusEvent): boolean {
  const { detailType, ...rest } = pattern;
  const asAws: Record<string, unknown> = { ...rest, ...(detailType ? { 'detail-type': detailType } : {}) };
  return matchesObject(asAws, event as unknown as Record<string, unknown>);
}
