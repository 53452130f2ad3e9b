// docs/request.schema.json is generated from the zod request schema:
//   npx tsx lambdas/workflow/request-schema.ts
// request-schema.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { EXAMPLE_REQUESTS, requestSchema } from './request.js';

export const REQUEST_SCHEMA_PATH = fileURLToPath(new URL('../../docs/request.schema.json', import.meta.url));

export function requestJsonSchema(): string {
  const schema = z.toJSONSchema(requestSchema, { io: 'input', target: 'draft-2020-12' });
  const doc = {
    ...schema,
    $id: 'https://github.com/instant-clone-fleets/schemas/request.schema.json',
    title: 'Instant Clones Requested',
    examples: Object.values(EXAMPLE_REQUESTS),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(REQUEST_SCHEMA_PATH, requestJsonSchema());
  console.log(`wrote ${REQUEST_SCHEMA_PATH}`);
}
