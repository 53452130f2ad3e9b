import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { VsphereTransportError } from './errors.js';
import { PinnedAgent, parseThumbprint } from './pinned-agent.js';
import type { Logger } from './types.js';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface TransportOptions {
  insecure?: boolean;
  caPem?: string;
  /** vCenter certificate fingerprint (SHA-1 or SHA-256 hex): trust exactly that certificate. */
  thumbprint?: string;
  logger: Logger;
}

/** Default trust plus `caPem`: an explicit `ca` replaces Node's roots, so both are passed. */
function trustedCas(caPem: string): string[] {
  const getDefaults = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  const defaults = getDefaults ? getDefaults('default') : [...tls.rootCertificates];
  return [...defaults, caPem];
}

/** One keep-alive agent per client; TLS verified unless `insecure`. */
export function createAgent(url: URL, options: TransportOptions): http.Agent {
  if (url.protocol === 'http:') return new http.Agent({ keepAlive: true });
  if (options.thumbprint !== undefined) {
    if (options.insecure) {
      throw new VsphereTransportError('give either insecure or a vCenter thumbprint, not both');
    }
    return new PinnedAgent(parseThumbprint(options.thumbprint, 'vCenter'), {
      keepAlive: true,
      peer: 'vcenter',
    });
  }
  if (options.insecure) {
    options.logger.warn('vSphere TLS verification is DISABLED (insecure: true); use only in a lab');
  }
  return new https.Agent({
    keepAlive: true,
    rejectUnauthorized: !options.insecure,
    ...(options.caPem ? { ca: trustedCas(options.caPem) } : {}),
  });
}

/**
 * How long a connection may stay silent. Longer than any WaitForUpdatesEx long poll we make (maxWaitSeconds
 * ≤ 50 s) and shorter than a Lambda's budget, so a vCenter that accepts and never answers becomes a retried
 * VsphereTransportError rather than a Lambda timeout.
 */
export const IDLE_TIMEOUT_MS = 120_000;

/** One HTTP(S) exchange; socket and TLS errors, and `idleTimeoutMs` of silence, become VsphereTransportError. */
export function httpRequest(
  agent: http.Agent,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body?: Buffer | string,
  idleTimeoutMs = IDLE_TIMEOUT_MS,
): Promise<HttpResponse> {
  const lib = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) =>
        reject(new VsphereTransportError(`${method} ${url.host}: ${e.message}`, { cause: e })),
      );
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', (e) =>
      reject(new VsphereTransportError(`${method} ${url.host}: ${e.message}`, { cause: e })),
    );
    req.setTimeout(idleTimeoutMs, () =>
      req.destroy(
        new Error(`no answer for ${idleTimeoutMs / 1000} s; check that vCenter is up and reachable`),
      ),
    );
    req.end(body);
  });
}
