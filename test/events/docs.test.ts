// docs/events.md: one section per documented event, linking its schema, with an example that parses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENTS, schemaFileName } from '../../lambdas/workflow/event-registry.js';

const doc = readFileSync('docs/events.md', 'utf8');
const sections = new Map(
  doc
    .split(/^## /m)
    .slice(1)
    .map((s) => [s.slice(0, s.indexOf('\n')).trim(), s] as const),
);

describe('docs/events.md', () => {
  it('has a section for every documented event and no other', () => {
    expect([...sections.keys()].sort()).toEqual(
      Object.values(EVENTS)
        .map((e) => e.detailType)
        .sort(),
    );
  });

  it.each(Object.values(EVENTS))('$detailType: links its schema, and its example parses', (spec) => {
    const section = sections.get(spec.detailType) ?? '';
    expect(section).toContain(`(events/${schemaFileName(spec.detailType)})`);
    const example = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const parsed = spec.schema.safeParse(JSON.parse(example ?? 'null'));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('is linked from the README', () => {
    expect(readFileSync('README.md', 'utf8')).toContain('(docs/events.md)');
  });
});
