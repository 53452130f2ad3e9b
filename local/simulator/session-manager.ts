// SessionManager: Login/Logout, cookies, idle expiry (vCenter's 30 minutes by default), NotAuthenticated.
import { randomUUID } from 'node:crypto';
import { SimFault } from './faults.js';
import { bool, date, long, type MoRef, obj, str } from './values.js';
import { child, textOf, type XNode } from './xml.js';

/** vCenter's default idle timeout of a vim25 session (simulated time). */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

export interface Session {
  key: string;
  user: string;
  loginTime: number;
  lastActiveTime: number;
  callCount: number;
  ipAddress: string;
  userAgent: string;
  /** calls in progress: a session is not idle while one runs (a long poll, for one) */
  busy: number;
}

/** What the HTTP front knows about the caller. */
export interface Caller {
  ipAddress: string;
  userAgent: string;
}

export class Sessions {
  private readonly byKey = new Map<string, Session>();
  /**
   * @param idleMs real milliseconds after which an idle session is gone (vCenter's timeout × timeScale)
   */
  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly idleMs: number,
  ) {}

  /** The live session of this Cookie header; an idle-expired one is dropped here, as vCenter's sweep would. */
  fromCookie(header: string | undefined): Session | undefined {
    const m = /vmware_soap_session="?([^";,\s]+)"?/.exec(header ?? '');
    return m?.[1] ? this.get(m[1]) : undefined;
  }

  /** The live session with this key (SessionIsActive, long polls ending at logout/expiry). */
  get(key: string | undefined): Session | undefined {
    const s = key === undefined ? undefined : this.byKey.get(key);
    if (s && s.busy === 0 && Date.now() - s.lastActiveTime > this.idleMs) {
      this.byKey.delete(s.key);
      return undefined;
    }
    return s;
  }

  /** NotAuthenticated as vCenter sends it: the object called and the privilege it needed. */
  static notAuthenticated(object: MoRef): SimFault {
    return new SimFault('NotAuthenticated', 'The session is not authenticated.', [
      ['object', object],
      ['privilegeId', str('System.View')],
    ]);
  }

  /** Marks a call of this session as started; the returned function marks it as finished. */
  begin(s: Session): () => void {
    s.busy++;
    s.callCount++;
    s.lastActiveTime = Date.now();
    return () => {
      s.busy--;
      s.lastActiveTime = Date.now();
    };
  }

  login(call: XNode, caller: Caller): Session {
    const user = textOf(call, 'userName') ?? '';
    const pass = child(call, 'password')?.text ?? '';
    if (user !== this.username || pass !== this.password)
      throw new SimFault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.');
    const now = Date.now();
    const s: Session = {
      key: randomUUID(),
      user,
      loginTime: now,
      lastActiveTime: now,
      callCount: 0,
      busy: 0,
      ...caller,
    };
    this.byKey.set(s.key, s);
    return s;
  }

  logout(s: Session): void {
    this.byKey.delete(s.key);
  }

  expireAll(): void {
    this.byKey.clear();
  }

  static userSession(s: Session) {
    return obj('UserSession', {
      key: str(s.key),
      userName: str(s.user),
      fullName: str(s.user),
      loginTime: date(s.loginTime),
      lastActiveTime: date(s.lastActiveTime),
      locale: str('en'),
      messageLocale: str('en'),
      extensionSession: bool(false),
      ipAddress: str(s.ipAddress),
      userAgent: str(s.userAgent),
      callCount: long(s.callCount),
    });
  }

  static cookie(s: Session): string {
    return `vmware_soap_session="${s.key}"; Path=/; HttpOnly; Secure;`;
  }
}

export function registerSessionManager(sim: import('./sim.js').Sim): void {
  sim.register({
    Login: (s, call, ctx) => {
      const session = s.sessions.login(call, ctx.caller);
      ctx.newSession = session;
      return Sessions.userSession(session);
    },
    Logout: (s, _call, ctx) => {
      if (ctx.session) s.sessions.logout(ctx.session);
      return undefined;
    },
    SessionIsActive: (s, call) => bool(!!s.sessions.get(textOf(call, 'sessionID'))),
  });
  sim.providers.push((ref, _s, ctx) =>
    ref.type === 'SessionManager' && ref.value === 'SessionManager'
      ? obj('SessionManager', { currentSession: ctx.session ? Sessions.userSession(ctx.session) : undefined })
      : undefined,
  );
}
