import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS } from './event-registry.js';
import { EVENTS_SCHEMA_DIR, eventJsonSchemas } from './events-schema.js';

describe('docs/events/*.schema.json', () => {
  const expected = eventJsonSchemas();

  it('one file per documented event, none left over', () => {
    expect(Object.keys(expected)).toHaveLength(Object.keys(EVENTS).length);
    expect(readdirSync(EVENTS_SCHEMA_DIR).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))(
    '%s is generated from the zod schema (run: npx tsx lambdas/workflow/events-schema.ts)',
    (file) => {
      expect(JSON.parse(readFileSync(join(EVENTS_SCHEMA_DIR, file), 'utf8'))).toEqual(
        JSON.parse(expected[file] ?? 'null'),
      );
    },
  );

  it.each(Object.entries(EVENTS))('the %s examples parse with the schema', (_key, spec) => {
    expect(spec.examples.length).toBeGreaterThan(0);
    for (const example of spec.examples) expect(spec.schema.parse(example)).toEqual(example);
  });
});
