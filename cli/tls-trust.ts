// Node's errors for a certificate it does not trust. Telling the user to check the VPN would send them the
// wrong way: the server answered, its certificate is the problem.

const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS error code somewhere in the error's cause chain, if it is a trust failure. */
export function untrustedCertificateCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNTRUSTED_CODES.has(code)) return code;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') {
      const named = [...UNTRUSTED_CODES].find((c) => message.includes(c));
      if (named) return named;
      if (/self[- ]signed certificate/i.test(message)) return 'SELF_SIGNED_CERT_IN_CHAIN';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function untrustedCertificateMessage(url: string, code: string): string {
  return `vCenter's certificate at ${url} is not trusted (${code}): use --ca <vCenter CA bundle, PEM> or --insecure`;
}
