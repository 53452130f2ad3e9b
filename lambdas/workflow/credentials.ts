// Where credentials come from (ADR 0001, ADR 0010): before each invocation the credentials middleware fetches
// the handler's secrets from the Parameters and Secrets extension (on AWS the layer, locally the runner's
// implementation of its HTTP API) and puts them on the context (`vcenter`, `guest_<source>`,
// `guest_smoke_<source>`). A handler reads them from the context, and they never enter a state's input or
// output, an event or a log line.
import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod';
import type { WorkflowConfig } from './config.js';
import { InvalidConfigError } from './errors.js';
import type { HandlerNeeds } from './handler-needs.js';
import { getSecretString, SecretFetchError, secretsExtension } from './secrets-extension.js';

export interface Credentials {
  username: string;
  password: string;
}

const credentialsSchema = z.object({ username: z.string().min(1), password: z.string() });

export function guestKey(source: string): string {
  return `guest_${source}`;
}

/** Context key of a source's smoke-command account (its `smokeGuestSecretId`). */
export function smokeGuestKey(source: string): string {
  return `guest_smoke_${source}`;
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
 * The credentials middleware. The config is read on the first request, so a bad WORKFLOW_CONFIG surfaces as
 * InvalidConfig from the handler instead of an init crash. Nothing is cached here: the extension caches each
 * secret for SECRETS_MANAGER_TTL (the stack sets 300 s, the extension's maximum), so a rotated password is
 * picked up within five minutes without a redeploy, and a cached fetch is one request on localhost.
 */
export function credentialsMiddleware(loadConfig: () => WorkflowConfig, needs: HandlerNeeds): MiddlewareObj {
  return {
    before: async (request) => {
      const extension = secretsExtension();
      if (!extension) return;
      const fetchData = Object.entries(secretIds(loadConfig(), needs));
      const values = await Promise.all(
        fetchData.map(([key, id]) => getSecretString(extension, id).then((text) => [key, secretValue(text)])),
      ).catch((error: unknown) => {
        throw fetchFailure(error);
      });
      Object.assign(request.context as object, Object.fromEntries(values));
    },
  };
}

/** A secret's JSON; a secret that is not JSON stays a string (credentialsFrom then names the key). */
function secretValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A secret that does not exist, that the role may not read, or no extension to ask: the deployment's to fix.
 * The extension has already retried Secrets Manager (with the SDK's retries) when it answers with an error.
 */
function fetchFailure(error: unknown): Error {
  if (error instanceof SecretFetchError)
    return new InvalidConfigError(
      `${error.message} (check that the secret exists, holds {"username","password"} and the function's role may read it)`,
    );
  return error instanceof Error ? error : new Error(String(error));
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
