// Where credentials come from (ADR 0001): on AWS @middy/secrets-manager puts the secrets on the context
// (`vcenter`, `guest_<source>`); locally the runner passes a context that already holds them. Either way a
// handler reads them from the context, and they never enter a state's input or output.
// @middy/secrets-manager stays on 6.4.5: v7 of that package is not published in our registry; its `before`
// hook is all middy 7 needs.
import type { MiddlewareObj } from '@middy/core';
import secretsManager from '@middy/secrets-manager';
import * as z from 'zod';
import type { WorkflowConfig } from './config.js';
import { InvalidConfigError } from './errors.js';
import type { HandlerNeeds } from './handler-needs.js';

export interface Credentials {
  username: string;
  password: string;
}

const credentialsSchema = z.object({ username: z.string().min(1), password: z.string() });

/** Secrets are cached for 15 minutes, so a rotated password is picked up without a redeploy. */
export const SECRETS_CACHE_MS = 15 * 60 * 1000;

export function guestKey(source: string): string {
  return `guest_${source}`;
}

/** Context key of a source's smoke-command account (its `smokeGuestSecretId`). */
export function smokeGuestKey(source: string): string {
  return `guest_smoke_${source}`;
}

/** True when the secrets must be fetched from Secrets Manager (running in Lambda, not told otherwise). */
export function useSecretsManager(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && !env.LOCAL_CREDENTIALS;
}

/** Context key → secret id for what a handler needs (exactly what the stack grants it). */
export function secretIds(config: WorkflowConfig, needs: HandlerNeeds): Record<string, string> {
  const ids: Record<string, string> = {};
  if (needs.vcenter) ids.vcenter = config.vcenter.secretId;
  for (const [name, source] of Object.entries(config.sources)) {
    if (needs.guest) ids[guestKey(name)] = source.guestSecretId;
    if (needs.smokeGuest && source.smokeGuestSecretId !== undefined) {
      ids[smokeGuestKey(name)] = source.smokeGuestSecretId;
    }
  }
  return ids;
}

/**
 * The credentials middleware. Built lazily on the first request so a bad WORKFLOW_CONFIG surfaces as
 * InvalidConfig from the handler instead of an init crash.
 */
export function credentialsMiddleware(loadConfig: () => WorkflowConfig, needs: HandlerNeeds): MiddlewareObj {
  let inner: MiddlewareObj | undefined;
  return {
    before: async (request) => {
      if (!useSecretsManager()) return;
      const fetchData = secretIds(loadConfig(), needs);
      if (Object.keys(fetchData).length === 0) return;
      inner ??= secretsManager({
        fetchData,
        setToContext: true,
        cacheExpiry: SECRETS_CACHE_MS,
      }) as MiddlewareObj;
      await inner.before?.(request);
    },
  };
}

/** Reads `{username, password}` from the context; the error names the key, never the value. */
export function credentialsFrom(context: unknown, key: string): Credentials {
  const value = (context as Record<string, unknown> | undefined)?.[key];
  const parsed = credentialsSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidConfigError(
      `credentials '${key}' are missing or not {"username","password"} (secret not readable or local context incomplete)`,
    );
  }
  return parsed.data;
}
