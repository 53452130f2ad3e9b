import type http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { VsphereClient } from './client.js';
import { VsphereTransportError } from './errors.js';
import { httpRequest } from './transport.js';

export interface GuestTransferOptions {
  /**
   * The ESXi host's `summary.config.sslThumbprint` (SHA-1 as `AB:CD:…`; SHA-256 if 32 bytes long). When given,
   * the HTTPS connection is accepted if and only if the host's certificate has this fingerprint, whatever its
   * chain or name (ESXi certificates are often self-signed or VMCA-signed). Ignored for `http:` URLs.
   */
  thumbprint?: string;
}

/**
 * Guest transfer URLs point at the ESXi host; a host of `*` means "the server you called",
 * so it is replaced by the host the client connected to (port kept).
 */
export function resolveTransferUrl(c: VsphereClient, transferUrl: string): URL {
  return new URL(transferUrl.replace(/^(https?:\/\/)\*(?=[:/]|$)/i, `$1${c.url.hostname}`));
}

type Pin = { hex: string; field: 'fingerprint' | 'fingerprint256'; label: string };

function parseThumbprint(thumbprint: string): Pin {
  const hex = thumbprint.replace(/[\s:]/g, '').toUpperCase();
  if (/^[0-9A-F]{40}$/.test(hex)) return { hex, field: 'fingerprint', label: 'SHA-1' };
  if (/^[0-9A-F]{64}$/.test(hex)) return { hex, field: 'fingerprint256', label: 'SHA-256' };
  throw new VsphereTransportError(
    `ESXi thumbprint "${thumbprint}" is neither a SHA-1 nor a SHA-256 fingerprint`,
  );
}

const colons = (hex: string) => hex.replace(/(..)(?!$)/g, '$1:');

/**
 * One-request agent that hands the request its socket only after the peer's certificate matched the pin, so
 * nothing (not even the URL's one-time token) is sent to an unpinned peer. Chain and name checks are off
 * (`rejectUnauthorized: false`) because the fingerprint replaces them; `checkServerIdentity` would not do:
 * Node calls it only when the chain already verified.
 */
class PinnedAgent extends https.Agent {
  readonly #pin: Pin;
  constructor(pin: Pin) {
    super({ keepAlive: false, maxCachedSessions: 0 });
    this.#pin = pin;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const pin = this.#pin;
    const host = options.host ?? options.hostname ?? 'localhost';
    const socket = tls.connect({
      host,
      port: Number(options.port ?? 443),
      ...(options.servername ? { servername: options.servername } : {}),
      rejectUnauthorized: false,
    });
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return; // later socket errors reach the request's own listener
      settled = true;
      if (error) socket.destroy();
      callback?.(error, socket);
    };
    socket.on('error', settle);
    socket.once('secureConnect', () => {
      const got = String(socket.getPeerCertificate()?.[pin.field] ?? '')
        .replace(/:/g, '')
        .toUpperCase();
      if (got === pin.hex) {
        settle(null);
        return;
      }
      settle(
        new VsphereTransportError(
          `ESXi thumbprint did not match: the host presented a certificate with ${pin.label} fingerprint ` +
            `${got ? colons(got) : '(none)'}, expected ${colons(pin.hex)}. Check the host's ` +
            'summary.config.sslThumbprint in vCenter (was its certificate renewed? reconnect the host) and that ' +
            'the transfer URL reaches the ESXi host directly (no proxy or load balancer terminating TLS).',
        ),
      );
    });
    return undefined;
  }
}

async function transfer(
  c: VsphereClient,
  method: string,
  transferUrl: string,
  options: GuestTransferOptions,
  headers: Record<string, string>,
  body?: Buffer,
) {
  const url = resolveTransferUrl(c, transferUrl);
  const pinned = options.thumbprint && url.protocol === 'https:';
  const agent: http.Agent = pinned ? new PinnedAgent(parseThumbprint(options.thumbprint as string)) : c.agent;
  try {
    return await httpRequest(agent, method, url, headers, body);
  } finally {
    if (pinned) agent.destroy();
  }
}

/** HTTPS GET of an InitiateFileTransferFromGuest URL (single use; no session cookie sent). */
export async function downloadGuestFile(
  c: VsphereClient,
  transferUrl: string,
  options: GuestTransferOptions = {},
): Promise<Buffer> {
  const res = await transfer(c, 'GET', transferUrl, options, {});
  if (res.status !== 200)
    throw new VsphereTransportError(`guest file GET: HTTP ${res.status}`, { status: res.status });
  return res.body;
}

/** HTTPS PUT to an InitiateFileTransferToGuest URL. */
export async function uploadGuestFile(
  c: VsphereClient,
  transferUrl: string,
  data: Buffer | string,
  options: GuestTransferOptions = {},
): Promise<void> {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const res = await transfer(c, 'PUT', transferUrl, options, { 'Content-Length': String(body.length) }, body);
  if (res.status !== 200)
    throw new VsphereTransportError(`guest file PUT: HTTP ${res.status}`, { status: res.status });
}
