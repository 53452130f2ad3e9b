import type http from 'node:http';
import type { Client } from 'soap';
import { decodeReturnval } from './decode.js';
import { VsphereFault, VsphereTransportError } from './errors.js';
import { parseSoapFault } from './fault.js';
import { MISSING_SET_METHODS, missingSetFault } from './missing-set.js';
import { createSoapClient } from './soap-client.js';
import { toSoap } from './soap-values.js';
import { createAgent, httpRequest } from './transport.js';
import type { ConnectOptions, Logger, MoRef, ServiceContent } from './types.js';

const COOKIE = 'vmware_soap_session';
const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };
const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };
/**
 * What node-soap is handed to parse in place of a response: it only builds the request envelopes, and
 * decode.ts reads the response once (node-soap's own reading of it, ≈ 6 % of a local fleet run's CPU, was
 * thrown away).
 */
const EMPTY_ENVELOPE =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>';
/** The options key under which one call's response text travels from the transport back to `#call`. */
const RESPONSE = Symbol('response');
type CallOptions = { [RESPONSE]: { text?: string } };
/** Methods that never need (or must not retry for) a session. */
const NO_RELOGIN = new Set(['RetrieveServiceContent', 'Login', 'Logout']);
/**
 * Methods that act on state of the session (its filters, update version, result token): after a re-login that
 * state is gone, so they are not retried; the caller sees NotAuthenticated and a new `sessionGeneration`.
 */
const SESSION_STATE = new Set([
  'WaitForUpdatesEx',
  'WaitForUpdates',
  'CheckForUpdates',
  'ContinueRetrievePropertiesEx',
  'DestroyPropertyFilter',
]);

/** A vim25 session over one keep-alive connection. */
export class VsphereClient {
  readonly url: URL;
  readonly logger: Logger;
  #serviceContent!: ServiceContent;
  #roundTrips = 0;
  #soap!: Client;
  #agent: http.Agent;
  #cookie: string | undefined;
  #username: string;
  #password: string;
  #relogin: Promise<void> | undefined;
  /** Set-Cookie headers seen; a Login must add one. */
  #cookiesSet = 0;
  #generation = 0;
  #cache = new Map<string, unknown>();

  private constructor(options: ConnectOptions) {
    this.url = new URL(options.url);
    this.logger = options.logger ?? SILENT;
    this.#agent = createAgent(this.url, {
      insecure: options.insecure,
      caPem: options.caPem,
      thumbprint: options.thumbprint,
      logger: this.logger,
    });
    this.#username = options.username;
    this.#password = options.password;
  }

  /** RetrieveServiceContent + Login. */
  static async connect(options: ConnectOptions): Promise<VsphereClient> {
    const c = new VsphereClient(options);
    c.#soap = await createSoapClient(c.url.href, {
      request: (url, body, callback, headers, options) => {
        c.#post(url, body, headers).then(
          (res) => {
            const slot = (options as Partial<CallOptions> | undefined)?.[RESPONSE];
            if (!slot) return callback(null, res, res.data);
            slot.text = res.data;
            callback(null, res, EMPTY_ENVELOPE);
          },
          (err) => callback(err),
        );
      },
    });
    try {
      c.#serviceContent = await c.invoke<ServiceContent>('RetrieveServiceContent', {
        _this: SERVICE_INSTANCE,
      });
      await c.#login();
    } catch (err) {
      c.#agent.destroy();
      throw err;
    }
    return c;
  }

  /** From RetrieveServiceContent at connect. */
  get serviceContent(): ServiceContent {
    return this.#serviceContent;
  }

  /**
   * Counts logins: it changes when the client logged in again, i.e. the session's property filters and
   * WaitForUpdatesEx version are gone and a wait must start over.
   */
  get sessionGeneration(): number {
    return this.#generation;
  }

  /** SOAP calls made so far (for benchmarks). */
  get roundTrips(): number {
    return this.#roundTrips;
  }

  /** The keep-alive agent (TLS settings) for file transfers. */
  get agent(): http.Agent {
    return this.#agent;
  }

  /** Per-client memo for looked-up morefs (e.g. guest operation managers). */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.#cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      p.catch(() => this.#cache.delete(key));
      this.#cache.set(key, p);
    }
    return p;
  }

  /**
   * Calls a vim25 method with `args` (including `_this`); returns the decoded `returnval`. A `missingSet`
   * fault in a property-collector result is thrown like a SOAP fault. On NotAuthenticated (either way) it
   * logs in again once, shared with concurrent callers, and retries.
   */
  async invoke<T>(method: string, args: object): Promise<T> {
    const cookie = this.#cookie;
    try {
      return await this.#checked<T>(method, args);
    } catch (err) {
      if (!(err instanceof VsphereFault) || err.faultName !== 'NotAuthenticated' || NO_RELOGIN.has(method))
        throw err;
      this.logger.info('vSphere session not authenticated; logging in again', { method });
      await this.#reloginOnce(cookie);
      if (SESSION_STATE.has(method)) throw err;
      return this.#checked<T>(method, args);
    }
  }

  async #checked<T>(method: string, args: object): Promise<T> {
    const result = await this.#call<T>(method, args);
    if (MISSING_SET_METHODS.has(method)) {
      const fault = missingSetFault(result);
      if (fault) throw fault;
    }
    return result;
  }

  /** Logout and release the connection. */
  async close(): Promise<void> {
    try {
      if (this.#cookie && this.serviceContent.sessionManager) {
        await this.#call('Logout', { _this: this.serviceContent.sessionManager });
      }
    } finally {
      this.#cookie = undefined;
      this.#agent.destroy();
    }
  }

  async #call<T>(method: string, args: object): Promise<T> {
    const fn = (
      this.#soap as unknown as Record<string, (a: unknown, o: CallOptions) => Promise<[unknown, string]>>
    )[`${method}Async`];
    if (!fn) throw new Error(`vim25 method ${method} is not in the bundled WSDL`);
    const options: CallOptions = { [RESPONSE]: {} };
    let raw: string;
    try {
      const [, body] = await fn.call(this.#soap, toSoap(args), options);
      raw = options[RESPONSE].text ?? body;
    } catch (err) {
      // node-soap rejects a 200 body it cannot read with its own shapes (an Error, or a plain
      // `{ Fault, response, body }`); they all carry `body`.
      if (err && typeof err === 'object' && 'body' in err && 'response' in err) {
        throw this.#unreadable(method, String(err.body), err);
      }
      throw err;
    }
    try {
      return decodeReturnval(raw) as T;
    } catch (err) {
      throw this.#unreadable(method, raw, err);
    }
  }

  /** A 200 response that is not a vim25 SOAP envelope (a proxy, portal or wrong URL answered). */
  #unreadable(method: string, body: string, cause: unknown): VsphereFault | VsphereTransportError {
    return (
      parseSoapFault(body) ??
      new VsphereTransportError(`${method}: the response from ${this.url.host} is not a SOAP envelope`, {
        cause,
        status: 200,
      })
    );
  }

  /**
   * The old cookie stays until Login answers with a new one: concurrent callers keep sending the old
   * cookie meanwhile (and join this login when it fails them), never none.
   */
  async #login(): Promise<void> {
    const sm = this.serviceContent.sessionManager;
    if (!sm) throw new VsphereFault('NotSupported', 'ServiceContent has no sessionManager');
    const seen = this.#cookiesSet;
    await this.#call('Login', { _this: sm, userName: this.#username, password: this.#password });
    if (this.#cookiesSet === seen || !this.#cookie)
      throw new VsphereTransportError(`Login response carried no ${COOKIE} cookie`);
    this.#generation++;
    this.logger.debug('vSphere login ok', { host: this.url.host });
  }

  /**
   * Every caller that met NotAuthenticated with the same (stale) cookie shares one re-login: one in progress
   * is joined, and a caller whose cookie was already replaced just retries.
   */
  #reloginOnce(staleCookie: string | undefined): Promise<void> {
    if (this.#relogin) return this.#relogin;
    if (this.#cookie !== staleCookie) return Promise.resolve();
    this.#relogin = this.#login().finally(() => {
      this.#relogin = undefined;
    });
    return this.#relogin;
  }

  async #post(url: string, body: string, headers: Record<string, string>) {
    const h: Record<string, string> = { ...headers };
    if (this.#cookie) h.Cookie = `${COOKIE}=${this.#cookie}`;
    this.#roundTrips++;
    const res = await httpRequest(this.#agent, 'POST', new URL(url), h, body);
    const text = res.body.toString('utf8');
    const cookie = [res.headers['set-cookie'] ?? []]
      .flat()
      .map((c) => new RegExp(`^${COOKIE}=([^;]*)`).exec(c)?.[1])
      .find((v) => v !== undefined);
    if (cookie) {
      this.#cookie = cookie;
      this.#cookiesSet++;
    }
    if (res.status !== 200) {
      const fault = parseSoapFault(text);
      if (fault) throw fault;
      throw new VsphereTransportError(`HTTP ${res.status} from ${this.url.host}`, { status: res.status });
    }
    return { status: res.status, headers: res.headers, data: text };
  }

  /** Keeps the cookie and password out of logs and JSON. */
  toJSON(): object {
    return { url: this.url.href, roundTrips: this.#roundTrips };
  }
}
