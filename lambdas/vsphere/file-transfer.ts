import type { VsphereClient } from './client.js';
import { VsphereTransportError } from './errors.js';
import { httpRequest } from './transport.js';

/**
 * Guest transfer URLs point at the ESXi host; a host of `*` means "the server you called",
 * so it is replaced by the host the client connected to (port kept).
 */
export function resolveTransferUrl(c: VsphereClient, transferUrl: string): URL {
  return new URL(transferUrl.replace(/^(https?:\/\/)\*(?=[:/]|$)/i, `$1${c.url.hostname}`));
}

/** HTTPS GET of an InitiateFileTransferFromGuest URL (single use; no session cookie sent). */
export async function downloadGuestFile(c: VsphereClient, transferUrl: string): Promise<Buffer> {
  const url = resolveTransferUrl(c, transferUrl);
  const res = await httpRequest(c.agent, 'GET', url, {});
  if (res.status !== 200)
    throw new VsphereTransportError(`guest file GET: HTTP ${res.status}`, { status: res.status });
  return res.body;
}

/** HTTPS PUT to an InitiateFileTransferToGuest URL. */
export async function uploadGuestFile(
  c: VsphereClient,
  transferUrl: string,
  data: Buffer | string,
): Promise<void> {
  const url = resolveTransferUrl(c, transferUrl);
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const res = await httpRequest(c.agent, 'PUT', url, { 'Content-Length': String(body.length) }, body);
  if (res.status !== 200)
    throw new VsphereTransportError(`guest file PUT: HTTP ${res.status}`, { status: res.status });
}
