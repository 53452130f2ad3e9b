// TLS pinned to one certificate fingerprint: for ESXi guest file transfers (the host's sslThumbprint, read
// over the verified vCenter session) and, when configured, for vCenter itself (vcenter.thumbprint), the safe
// alternative to `insecure` for a self-signed vCenter.
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { VsphereTransportError } from './errors.js';

export type Pin = { hex: string; field: 'fingerprint' | 'fingerprint256'; label: string };

export function parseThumbprint(thumbprint: string, peer: 'vCenter' | 'ESXi'): Pin {
  const hex = thumbprint.replace(/[\s:]/g, '').toUpperCase();
  if (/^[0-9A-F]{40}$/.test(hex)) return { hex, field: 'fingerprint', label: 'SHA-1' };
  if (/^[0-9A-F]{64}$/.test(hex)) return { hex, field: 'fingerprint256', label: 'SHA-256' };
  throw new VsphereTransportError(
    `${peer} thumbprint "${thumbprint}" is neither a SHA-1 nor a SHA-256 fingerprint`,
  );
}

const colons = (hex: string) => hex.replace(/(..)(?!$)/g, '$1:');

/**
 * An agent that hands a request its socket only after the peer's certificate matched the pin, so
 * nothing (not even the URL's one-time token) is sent to an unpinned peer. Chain and name checks are off
 * (`rejectUnauthorized: false`) because the fingerprint replaces them; `checkServerIdentity` would not do:
 * Node calls it only when the chain already verified.
 */
export class PinnedAgent extends https.Agent {
  readonly #pin: Pin;
  readonly #peer: 'vcenter' | 'esxi';
  constructor(pin: Pin, options: { keepAlive: boolean; peer: 'vcenter' | 'esxi' }) {
    super({ keepAlive: options.keepAlive, maxCachedSessions: 0 });
    this.#pin = pin;
    this.#peer = options.peer;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const pin = this.#pin;
    const peer = this.#peer;
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
      const presented = `a certificate with ${pin.label} fingerprint ${got ? colons(got) : '(none)'}`;
      settle(
        new VsphereTransportError(
          peer === 'esxi'
            ? `ESXi thumbprint did not match: the host presented ${presented}, expected ${colons(pin.hex)}. ` +
                "Check the host's summary.config.sslThumbprint in vCenter (was its certificate renewed? reconnect " +
                'the host) and that the transfer URL reaches the ESXi host directly (no proxy or load balancer ' +
                'terminating TLS).'
            : `vCenter thumbprint did not match: it presented ${presented}, expected ${colons(pin.hex)} ` +
                '(vcenter.thumbprint). Was its certificate renewed? Read the new one with openssl (docs/deploy.md) ' +
                'and redeploy; never switch to insecure.',
        ),
      );
    });
    return undefined;
  }
}
