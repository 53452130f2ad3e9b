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

/** True when the secrets must be fetched from Secrets Manager (running in Lambda, not told otherwise). */
export function useSecretsManager(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && !env.LOCAL_CREDENTIALS;
}

/** Context key → secret id for what a handler needs. */
export function secretIds(config: WorkflowConfig, needs: { guest: boolean }): Record<string, string> {
  const ids: Record<string, string> = { vcenter: config.vcenter.secretId };
  if (needs.guest) {
    for (const [name, source] of Object.entries(config.sources)) ids[guestKey(name)] = source.guestSecretId;
  }
  return ids;
}

/**
 * The credentials middleware. Built lazily on the first request so a bad WORKFLOW_CONFIG surfaces as
 * InvalidConfig from the handler instead of an init crash.
 */
export function credentialsMiddleware(
  loadConfig: () => WorkflowConfig,
  needs: { guest: boolean },
): MiddlewareObj {
  let inner: MiddlewareObj | undefined;
  return {
    before: async (request) => {
      if (!useSecretsManager()) return;
      inner ??= secretsManager({
        fetchData: secretIds(loadConfig(), needs),
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
