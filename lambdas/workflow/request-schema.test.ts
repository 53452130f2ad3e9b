import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REQUEST_SCHEMA_PATH, requestJsonSchema } from './request-schema.js';

describe('docs/request.schema.json', () => {
  it('is generated from the zod schema (run: npx tsx lambdas/workflow/request-schema.ts)', () => {
    expect(JSON.parse(readFileSync(REQUEST_SCHEMA_PATH, 'utf8'))).toEqual(JSON.parse(requestJsonSchema()));
  });
});
