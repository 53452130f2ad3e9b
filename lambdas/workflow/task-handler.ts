// The shape every Task handler shares: middy v7 with Powertools (logger context, EMF metrics), the state input
// parsed with zod, and failures logged by name without their causes. Handlers that never call vCenter are
// built with `taskHandler` directly, so their bundles carry neither node-soap nor the AWS SDK they do not use;
// `workflowHandler` (workflow-handler.ts) adds vCenter sessions and the secrets on top of the same core.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type * as z from 'zod';
import { loadConfig, type WorkflowConfig } from './config.js';
import type { HandlerNeeds } from './handler-needs.js';
import { logger, metrics } from './powertools.js';
import { mapStack } from './stack-sources.js';

export interface TaskTools {
  config: WorkflowConfig;
  /** ms left before the Lambda times out, minus a safety margin (Infinity when unknown) */
  remainingMs(): number;
}

interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

/** What one invocation adds to TaskTools, and what it hands back when it ends, whether it succeeded or not. */
export interface InvocationScope<T> {
  tools: T;
  end?: () => Promise<void>;
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

/** A failure's stack names our sources, not the bundle's lines, when the runtime reports it (stack-sources.ts). */
const sourceStacks = {
  onError: (request: { error: unknown }) => {
    if (request.error instanceof Error) mapStack(request.error);
  },
};

/** The common core: `open` builds the invocation's extra tools, `use` adds middlewares after Powertools'. */
export function coreTaskHandler<S extends z.ZodType, T, O>(
  options: {
    input: S;
    open: (context: unknown, config: WorkflowConfig) => InvocationScope<T>;
    use?: MiddlewareObj[];
  },
  run: (input: z.infer<S>, tools: TaskTools & T) => Promise<O>,
): middy.MiddyfiedHandler<unknown, O> {
  const base = async (event: unknown, context: LambdaContextLike): Promise<O> => {
    const config = loadConfig();
    const parsed = options.input.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(`state input ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    const scope = options.open(context, config);
    const tools: TaskTools & T = {
      ...scope.tools,
      config,
      remainingMs: () =>
        (context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY) - SAFETY_MARGIN_MS,
    };
    try {
      return await run(parsed.data, tools);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      logger.error('handler failed', { errorName: e.name, errorMessage: e.message });
      throw e;
    } finally {
      await scope.end?.();
    }
  };
  let handler = middy<unknown, O>(base as never)
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(publishMetrics)
    .use(sourceStacks);
  for (const middleware of options.use ?? []) handler = handler.use(middleware);
  return handler as never;
}

/**
 * A handler that calls neither vCenter nor a guest: its `needs` must say so (the stack then keeps it out of the
 * VPC and grants it no secret). `tools` adds what it does use, e.g. `putEvents` from publish.ts.
 */
export function taskHandler<S extends z.ZodType, O, T = Record<never, never>>(
  options: { input: S; needs: HandlerNeeds; tools?: (context: unknown) => T },
  run: (input: z.infer<S>, tools: TaskTools & T) => Promise<O>,
): middy.MiddyfiedHandler<unknown, O> {
  const { vcenter, guest, smokeGuest } = options.needs;
  if (vcenter || guest || smokeGuest) {
    throw new Error('a handler that needs vCenter or guest credentials is built with workflowHandler');
  }
  const tools = options.tools ?? (() => ({}) as T);
  return coreTaskHandler({ input: options.input, open: (context) => ({ tools: tools(context) }) }, run);
}
