// Reads what a handler declares it needs (lambdas/<folder>/needs.ts, HANDLER_NEEDS) so the stack grants exactly
// that: the vCenter secret, the VPC and the vCenter/ESXi security group only for vCenter callers, guest secrets
// only where guest operations run. needs.ts imports nothing at run time, so it loads without bundling.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { HandlerNeeds } from '../lambdas/workflow/handler-needs.js';

const needsSchema = z.strictObject({
  vcenter: z.boolean(),
  guest: z.boolean(),
  smokeGuest: z.boolean(),
  permit: z.enum(['clone', 'reconfigure', 'guest', 'teardown']).optional(),
  holdings: z.boolean().optional(),
  runTimes: z.boolean().optional(),
});
const load = createRequire(import.meta.url);

/** The HANDLER_NEEDS exported by the needs.ts beside `entry` (a handler path relative to `root`). */
export function handlerNeeds(root: string, entry: string): HandlerNeeds {
  const file = resolve(root, dirname(entry), 'needs.ts');
  if (!existsSync(file)) {
    throw new Error(`${entry}: declare what the handler needs in ${file} (export const HANDLER_NEEDS)`);
  }
  const parsed = needsSchema.safeParse((load(file) as { HANDLER_NEEDS?: unknown }).HANDLER_NEEDS);
  if (!parsed.success) {
    throw new Error(
      `${file}: HANDLER_NEEDS must be { vcenter, guest, smokeGuest } booleans (optional: permit, holdings, runTimes)`,
    );
  }
  return parsed.data;
}
