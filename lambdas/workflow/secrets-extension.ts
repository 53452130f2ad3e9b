// Secrets through the AWS Parameters and Secrets Lambda Extension (ADR 0010): a plain HTTP GET on localhost
// instead of the Secrets Manager client, whose import alone was ≈ 70 ms of every vCenter handler's cold start.
// The extension (a layer the stack adds) calls GetSecretValue with the function's role and caches the answer
// for SECRETS_MANAGER_TTL seconds; locally the runner serves the same API (local/runner/secrets-extension.ts).
import { Agent, request } from 'node:http';

/** The extension's port when PARAMETERS_SECRETS_EXTENSION_HTTP_PORT does not say otherwise. */
export const DEFAULT_EXTENSION_PORT = 2773;

/** The header the extension requires on every request; its value is the function's AWS_SESSION_TOKEN. */
export const TOKEN_HEADER = 'X-Aws-Parameters-Secrets-Token';

/** The extension serves at most this many connections at once by default (PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS). */
const MAX_CONNECTIONS = 3;

export interface SecretsExtension {
  port: number;
  token: string;
}

/**
 * Where to fetch secrets: in Lambda (AWS_LAMBDA_FUNCTION_NAME) or wherever PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
 * is set (the local runner); undefined otherwise (a unit test calling a handler with the credentials already on
 * its context).
 */
export function secretsExtension(env: NodeJS.ProcessEnv = process.env): SecretsExtension | undefined {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
  if (!port && !env.AWS_LAMBDA_FUNCTION_NAME) return undefined;
  return { port: port ? Number(port) : DEFAULT_EXTENSION_PORT, token: env.AWS_SESSION_TOKEN ?? '' };
}

/** A failed fetch: the HTTP status (0 when the extension could not be reached) and what the extension said. */
export class SecretFetchError extends Error {
  constructor(
    readonly secretId: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      status === 0
        ? `secret '${secretId}': the Parameters and Secrets extension did not answer (${detail})`
        : `secret '${secretId}': the Parameters and Secrets extension answered HTTP ${status}: ${detail}`,
    );
    this.name = 'SecretFetchError';
  }
}

// No keep-alive: Lambda freezes the environment between invocations, and a socket the extension closed meanwhile
// would fail the next request; a new connection on localhost costs well under a millisecond.
let agent: Agent | undefined;

/** The secret's SecretString (GetSecretValue's answer, as the extension returns it). */
export function getSecretString(ext: SecretsExtension, secretId: string): Promise<string> {
  agent ??= new Agent({ keepAlive: false, maxSockets: MAX_CONNECTIONS });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: 'localhost',
        port: ext.port,
        path: `/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
        headers: { [TOKEN_HEADER]: ext.token },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new SecretFetchError(secretId, 0, e.message)));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          // Only an error answer is quoted (it names the secret and the cause, never a value).
          if (res.statusCode !== 200)
            return reject(new SecretFetchError(secretId, res.statusCode ?? 0, body.slice(0, 300).trim()));
          try {
            const value = (JSON.parse(body) as { SecretString?: unknown }).SecretString;
            if (typeof value !== 'string') throw new Error('no SecretString');
            resolve(value);
          } catch {
            reject(new SecretFetchError(secretId, 200, 'the answer holds no SecretString'));
          }
        });
      },
    );
    req.on('error', (e) => reject(new SecretFetchError(secretId, 0, e.message)));
    req.end();
  });
}
