// The shape every Task handler shares: middy v7 with Powertools (logger context, EMF metrics), credentials
// from the context, the state input parsed with zod, and failures logged by name without their causes.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type * as z from 'zod';
import type { VsphereClient } from '../vsphere/index.js';
import { loadConfig, type WorkflowConfig } from './config.js';
import {
  type Credentials,
  credentialsFrom,
  credentialsMiddleware,
  guestKey,
  smokeGuestKey,
} from './credentials.js';
import type { HandlerNeeds } from './handler-needs.js';
import { withPermit } from './permits.js';
import { logger, metrics } from './powertools.js';
import { eventPublisher, type PutEntries } from './publish.js';
import { borrowClient, releaseClient } from './session.js';

export interface HandlerTools {
  config: WorkflowConfig;
  vcenter(): Promise<VsphereClient>;
  guestCredentials(source: string): Credentials;
  /** The account a smokeCommand runs as: the source's smokeGuestSecretId, else its guest account. */
  smokeCredentials(source: string): Credentials;
  /** ms left before the Lambda times out, minus a safety margin (Infinity when unknown) */
  remainingMs(): number;
  /** PutEvents on the stack's bus (recorded or routed locally) */
  putEvents: PutEntries;
}

interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

/** Kept free so a handler can still answer (and the error reach Step Functions) before Lambda kills it. */
const SAFETY_MARGIN_MS = 5_000;

/** Flushes EMF after every invocation, success or failure; stays quiet when a handler recorded nothing. */
const publishMetrics = {
  after: () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
  onError: () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  },
};

export function workflowHandler<S extends z.ZodType, O>(
  options: { input: S; needs: HandlerNeeds },
  run: (input: z.infer<S>, tools: HandlerTools) => Promise<O>,
): middy.MiddyfiedHandler<unknown, O> {
  const base = async (event: unknown, context: LambdaContextLike): Promise<O> => {
    const config = loadConfig();
    const parsed = options.input.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(`state input ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    let borrowed: { client: Promise<VsphereClient>; creds: Credentials } | undefined;
    const vcenter = (): Promise<VsphereClient> => {
      if (!borrowed) {
        const creds = credentialsFrom(context, 'vcenter');
        borrowed = { client: borrowClient(config, creds), creds };
      }
      return borrowed.client;
    };
    const tools: HandlerTools = {
      config,
      vcenter,
      guestCredentials: (source) => credentialsFrom(context, guestKey(source)),
      smokeCredentials: (source) =>
        credentialsFrom(
          context,
          config.sources[source]?.smokeGuestSecretId === undefined ? guestKey(source) : smokeGuestKey(source),
        ),
      remainingMs: () =>
        (context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) - SAFETY_MARGIN_MS,
      putEvents: eventPublisher(context),
    };
    try {
      const permit = options.needs.permit;
      return permit
        ? await withPermit(permit, config, tools.remainingMs, () => run(parsed.data, tools))
        : await run(parsed.data, tools);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      logger.error('handler failed', { errorName: e.name, errorMessage: e.message });
      throw e;
    } finally {
      const b = borrowed;
      if (b) await b.client.then((client) => releaseClient(config, b.creds, client)).catch(() => {});
    }
  };
  return middy<unknown, O>(base as never)
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(publishMetrics)
    .use(credentialsMiddleware(loadConfig, options.needs)) as never;
}
