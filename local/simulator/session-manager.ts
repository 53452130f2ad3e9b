// SessionManager: Login/Logout, cookies, NotAuthenticated, expiry on demand.
import { randomUUID } from 'node:crypto';
import { SimFault } from './faults.js';
import { bool, date, obj, str } from './values.js';
import { child, textOf, type XNode } from './xml.js';

export interface Session {
  key: string;
  user: string;
  loginTime: number;
}

export class Sessions {
  private readonly byKey = new Map<string, Session>();
  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  fromCookie(header: string | undefined): Session | undefined {
    const m = /vmware_soap_session="?([^";,\s]+)"?/.exec(header ?? '');
    return m?.[1] ? this.byKey.get(m[1]) : undefined;
  }

  /** The live session with this key (SessionIsActive, long polls ending at logout/expiry). */
  get(key: string | undefined): Session | undefined {
    return key === undefined ? undefined : this.byKey.get(key);
  }

  require(s: Session | undefined): Session {
    if (!s)
      throw new SimFault('NotAuthenticated', 'The session is not authenticated.', [
        ['privilegeId', str('System.View')],
      ]);
    return s;
  }

  login(call: XNode): Session {
    const user = textOf(call, 'userName') ?? '';
    const pass = child(call, 'password')?.text ?? '';
    if (user !== this.username || pass !== this.password)
      throw new SimFault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.');
    const s = { key: randomUUID(), user, loginTime: Date.now() };
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
      lastActiveTime: date(Date.now()),
      locale: str('en'),
      messageLocale: str('en'),
      extensionSession: undefined,
    });
  }

  static cookie(s: Session): string {
    return `vmware_soap_session="${s.key}"; Path=/; HttpOnly; Secure;`;
  }
}

export function registerSessionManager(sim: import('./sim.js').Sim): void {
  sim.register({
    Login: (s, call, ctx) => {
      const session = s.sessions.login(call);
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
