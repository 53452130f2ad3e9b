import { readFileSync } from 'node:fs';
// Deep imports: the package root also loads WS-Security (xml-crypto, xpath) and the server, which we never use.
import { Client } from 'soap/lib/client.js';
import { WSDL } from 'soap/lib/wsdl/index.js';
import { ATTRS } from './soap-values.js';

/** Bundled, hand-trimmed, flattened vim25 WSDL (see wsdl/README.md). */
export const WSDL_URL = new URL('./wsdl/vim25.wsdl', import.meta.url);

/**
 * One set of node-soap options per process: clients built from one WSDL share its options,
 * and a second set silently changes the first client's serialization.
 */
const SOAP_OPTIONS = {
  attributesKey: ATTRS,
  valueKey: '$value',
  // pyVmomi-style `<Login xmlns="urn:vim25">` instead of a `vim25:` prefix on every element.
  ignoredNamespaces: { namespaces: ['vim25'], override: false },
  overrideImportLocation: undefined,
  disableCache: true,
  useEmptyTag: false,
};

let parsed: Promise<WSDL> | undefined;

function loadWsdl(): Promise<WSDL> {
  parsed ??= new Promise((resolve, reject) => {
    const wsdl = new WSDL(readFileSync(WSDL_URL, 'utf8'), WSDL_URL.href, SOAP_OPTIONS);
    wsdl.onReady((err) => (err ? reject(err) : resolve(wsdl)));
  });
  return parsed;
}

/** Minimal HTTP client node-soap calls for every request. */
export interface SoapHttp {
  request(
    url: string,
    body: string,
    callback: (err: unknown, res?: unknown, body?: string) => void,
    headers: Record<string, string>,
    /** the options the method was called with */
    options?: unknown,
  ): void;
}

/** A node-soap client on the bundled WSDL that sends through `http`. */
export async function createSoapClient(endpoint: string, http: SoapHttp): Promise<Client> {
  const wsdl = await loadWsdl();
  // biome-ignore lint/suspicious/noExplicitAny: node-soap's httpClient type is its axios-based class
  return new Client(wsdl, endpoint, { ...SOAP_OPTIONS, httpClient: http as any });
}
