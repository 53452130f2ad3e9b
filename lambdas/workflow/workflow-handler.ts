// The Task handlers that call vCenter: the common core (task-handler.ts: middy, Powertools, the state input
// parsed with zod) plus the credentials from the context (fetched from Secrets Manager on AWS) and a logged-in
// vCenter session borrowed for the invocation and given back after it.
import type middy from '@middy/core';
import type * as z from 'zod';
import type { VsphereClient } from '../vsphere/index.js';
import { loadConfig } from './config.js';
import {
  type Credentials,
  credentialsFrom,
  credentialsMiddleware,
  guestKey,
  smokeGuestKey,
} from './credentials.js';
import type { HandlerNeeds } from './handler-needs.js';
import { runTimesMiddleware } from './run-times-middleware.js';
import { borrowClient, releaseClient } from './session.js';
import type { tableAccess } from './table-access.js';
import { coreTaskHandler, type TaskTools } from './task-handler.js';

export interface HandlerTools extends TaskTools {
  vcenter(): Promise<VsphereClient>;
  guestCredentials(source: string): Credentials;
  /** The account a smokeCommand runs as: the source's smokeGuestSecretId, else its guest account. */
  smokeCredentials(source: string): Credentials;
}

/**
 * `table` is the door to the permit table (`tableAccess` from table-access.ts), given by the handlers whose
 * needs name a permit kind or the learned run times, and only by them: the others' bundles then carry no
 * DynamoDB code at all.
 */
export function workflowHandler<S extends z.ZodType, O>(
  options: { input: S; needs: HandlerNeeds; table?: typeof tableAccess },
  run: (input: z.infer<S>, tools: HandlerTools) => Promise<O>,
): middy.MiddyfiedHandler<unknown, O> {
  if (Boolean(options.needs.permit || options.needs.runTimes) !== Boolean(options.table)) {
    throw new Error(
      'a handler passes `table: tableAccess` exactly when its needs name a permit kind or the run times',
    );
  }
  return coreTaskHandler(
    {
      input: options.input,
      // The learned run times load while the secrets are fetched and the session borrowed (ADR 0009).
      use: [
        runTimesMiddleware(loadConfig, options.needs, options.table),
        credentialsMiddleware(loadConfig, options.needs),
      ],
      open: (context, config) => {
        let borrowed: { client: Promise<VsphereClient>; creds: Credentials } | undefined;
        const vcenter = (): Promise<VsphereClient> => {
          if (!borrowed) {
            const creds = credentialsFrom(context, 'vcenter');
            borrowed = { client: borrowClient(config, creds), creds };
          }
          return borrowed.client;
        };
        return {
          tools: {
            vcenter,
            guestCredentials: (source: string) => credentialsFrom(context, guestKey(source)),
            smokeCredentials: (source: string) =>
              credentialsFrom(
                context,
                config.sources[source]?.smokeGuestSecretId === undefined
                  ? guestKey(source)
                  : smokeGuestKey(source),
              ),
          },
          end: async () => {
            const b = borrowed;
            if (b) await b.client.then((client) => releaseClient(config, b.creds, client)).catch(() => {});
          },
        };
      },
    },
    // A handler that performs a throttled vCenter operation holds its permit for the whole invocation (ADR 0006).
    async (input, tools) => {
      const permit = options.needs.permit;
      const table = permit ? options.table?.() : undefined;
      if (!permit || !table) return run(input, tools);
      const { withPermit } = await table;
      return withPermit(permit, tools.config, tools.remainingMs, () => run(input, tools));
    },
  );
}
