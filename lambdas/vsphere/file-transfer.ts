import type http from 'node:http';
import type { VsphereClient } from './client.js';
import { VsphereTransportError } from './errors.js';
import { PinnedAgent, parseThumbprint } from './pinned-agent.js';
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
  const agent: http.Agent = pinned
    ? new PinnedAgent(parseThumbprint(options.thumbprint as string, 'ESXi'), {
        keepAlive: false,
        peer: 'esxi',
      })
    : c.agent;
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
