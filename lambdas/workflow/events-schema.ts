// docs/events/<detail-type>.schema.json are generated from the zod event schemas in events.ts:
//   npx tsx lambdas/workflow/events-schema.ts
// (then formatted with biome). events-schema.test.ts fails when a file is stale, missing or left over.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { EVENTS, schemaFileName } from './event-registry.js';
import { EVENT_SOURCE } from './events.js';

export const EVENTS_SCHEMA_DIR = fileURLToPath(new URL('../../docs/events/', import.meta.url));

/** File name → JSON text, for every documented event. */
export function eventJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const spec of Object.values(EVENTS)) {
    const file = schemaFileName(spec.detailType);
    // What we send is documented as it leaves us; what we receive as its consumer reads it.
    const schema = z.toJSONSchema(spec.schema, {
      io: spec.direction === 'out' ? 'output' : 'input',
      target: 'draft-2020-12',
    });
    const source =
      spec.direction === 'out'
        ? `source "${EVENT_SOURCE}"`
        : 'any source (the rule matches on detail-type only)';
    const doc = {
      ...schema,
      $id: `https://github.com/instant-clone-fleets/schemas/events/${file}`,
      title: spec.detailType,
      $comment: `The detail of an EventBridge event with detail-type "${spec.detailType}", ${source}, sent by ${spec.sentBy}. Generated from lambdas/workflow/events.ts; see docs/events.md.`,
      examples: spec.examples,
    };
    files[file] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(EVENTS_SCHEMA_DIR, { recursive: true });
  const files = eventJsonSchemas();
  for (const old of readdirSync(EVENTS_SCHEMA_DIR)) {
    if (old.endsWith('.schema.json') && !(old in files)) rmSync(join(EVENTS_SCHEMA_DIR, old));
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(EVENTS_SCHEMA_DIR, file), text);
  // In the repo's JSON style, so `npm run lint` stays clean (the freshness test compares parsed JSON).
  execFileSync('npx', ['biome', 'format', '--write', EVENTS_SCHEMA_DIR], { stdio: 'inherit' });
  console.log(`wrote ${Object.keys(files).length} schemas to ${EVENTS_SCHEMA_DIR}`);
}
