// The AWS Parameters and Secrets Lambda Extension's HTTP API, served locally (ADR 0010): the handlers fetch
// their secrets from it exactly as on AWS (lambdas/workflow/secrets-extension.ts), from secrets held in memory.
// One per process, shared by every local run in it (as WORKFLOW_CONFIG, the port and token are process-wide
// env vars the handlers read), started by the first run and stopped when the last one ends.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOKEN_HEADER } from '../../lambdas/workflow/secrets-extension.js';

export interface LocalSecretsExtension {
  port: number;
  /** the value X-Aws-Parameters-Secrets-Token must carry (on AWS the function's AWS_SESSION_TOKEN) */
  token: string;
  /** adds or replaces secrets by id (their SecretString) */
  put(secrets: Record<string, string>): void;
  /** GetSecretValue requests answered, by secret id (ids only, never values) */
  requests(): Record<string, number>;
  /** The env vars a handler reads to reach this extension, as Lambda sets them for a function with the layer. */
  env(): { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: string; AWS_SESSION_TOKEN: string };
  stop(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Starts the API on 127.0.0.1 (any free port unless `port`). As the extension does: only GET
 * /secretsmanager/get?secretId=…, only with the token header; the answer is GetSecretValue's JSON; an unknown
 * secret is HTTP 400 with Secrets Manager's error. Unlike it, nothing is cached: a changed secret is seen at once.
 */
export async function startSecretsExtension(
  options: { port?: number; token?: string } = {},
): Promise<LocalSecretsExtension> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const secrets = new Map<string, { value: string; version: string; created: number }>();
  const counts: Record<string, number> = {};
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/secretsmanager/get') return answer(res, 404, 'not found');
    if (req.headers[TOKEN_HEADER.toLowerCase()] !== token)
      return answer(res, 401, `missing or wrong ${TOKEN_HEADER} header`);
    const id = url.searchParams.get('secretId') ?? '';
    const secret = secrets.get(id);
    if (!secret) {
      return answer(
        res,
        400,
        `ResourceNotFoundException: Secrets Manager can't find the specified secret. (secretId ${id || '(none)'})`,
      );
    }
    counts[id] = (counts[id] ?? 0) + 1;
    answer(
      res,
      200,
      JSON.stringify({
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-local`,
        Name: id,
        VersionId: secret.version,
        SecretString: secret.value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: new Date(secret.created).toISOString(),
      }),
      'application/json',
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    token,
    put: (more) => {
      for (const [id, value] of Object.entries(more)) {
        if (secrets.get(id)?.value !== value)
          secrets.set(id, { value, version: randomUUID(), created: Date.now() });
      }
    },
    requests: () => ({ ...counts }),
    env: () => ({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), AWS_SESSION_TOKEN: token }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let shared: { extension: Promise<LocalSecretsExtension>; users: number; ownToken: boolean } | undefined;

/**
 * The process's shared extension with `secrets` added, and the env vars the handlers read pointing at it
 * (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT; AWS_SESSION_TOKEN unless already set, which it then accepts). Call
 * the returned function when the run is over; the last one stops the extension and removes those env vars.
 */
export async function shareSecretsExtension(secrets: Record<string, string>): Promise<() => Promise<void>> {
  if (!shared) {
    const ownToken = !process.env.AWS_SESSION_TOKEN;
    shared = {
      extension: startSecretsExtension(ownToken ? {} : { token: process.env.AWS_SESSION_TOKEN }),
      users: 0,
      ownToken,
    };
  }
  const mine = shared;
  mine.users++;
  const extension = await mine.extension;
  extension.put(secrets);
  Object.assign(process.env, extension.env());
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--mine.users > 0) return;
    if (shared === mine) shared = undefined;
    delete process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
    if (mine.ownToken) delete process.env.AWS_SESSION_TOKEN;
    await extension.stop();
  };
}
