import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** One sign-in: a family of single-use refresh tokens. Reusing an old one revokes the family. */
interface Session {
  id: string;
  user: string;
  /** The only refresh token of the family that is still valid. */
  current: string;
  /** The one it replaced, accepted once more within the grace window (see `refresh`). */
  previous: string | undefined;
  /** Tokens this family used up, newest last, so a reused one is recognised (bounded). */
  used: string[];
  rotatedAt: number;
  /** Absolute: refreshes do not extend a session. */
  endsAt: number;
}

export interface Issued {
  accessToken: string;
  /** Epoch ms; equals the JWT `exp`. */
  expiresAt: number;
  refreshToken: string;
  /** When the session ends (epoch ms): the cookies' lifetime. */
  sessionEndsAt: number;
  user: string;
}

/** What the e2e tests read from `/__test/counters`. */
export interface AuthCounters {
  logins: number;
  /** Successful refreshes, grace ones included (each one rotated the refresh token). */
  refreshes: number;
  /** When each successful refresh happened (epoch ms). */
  refreshTimes: number[];
  /** Refresh calls answered 401 (no cookie, unknown, revoked or reused token). */
  rejectedRefreshes: number;
  /** Times an already-used refresh token came back: the family was revoked. */
  reuseDetections: number;
  /** Refreshes with the previous token inside the grace window (a response that never arrived). */
  graceRefreshes: number;
  logouts: number;
  revocations: number;
  /** `/api/auth/*` requests refused before they were read (cross-site, not JSON, not POST). */
  refusedAuthRequests: number;
  graphqlRequests: number;
  /** GraphQL requests without a token. */
  anonymousRequests: number;
  /** GraphQL requests whose token was expired, revoked or invalid. */
  rejectedTokens: number;
  wsConnections: number;
  wsRejected: number;
}

const zero = (): AuthCounters => ({
  logins: 0,
  refreshes: 0,
  refreshTimes: [],
  rejectedRefreshes: 0,
  reuseDetections: 0,
  graceRefreshes: 0,
  logouts: 0,
  revocations: 0,
  refusedAuthRequests: 0,
  graphqlRequests: 0,
  anonymousRequests: 0,
  rejectedTokens: 0,
  wsConnections: 0,
  wsRejected: 0,
});

/** How many used refresh tokens a family remembers for reuse detection. An older one is
 *  simply unknown: rejected, without revoking the family. */
const REMEMBERED_USED_TOKENS = 100;

const randomId = () => randomBytes(24).toString('base64url');

export interface AuthOptions {
  accessTtlMs: number;
  sessionTtlMs: number;
  /** How long the previous refresh token still works once: a tab closed mid-refresh, or a lost
   *  response, would otherwise present it again and trip reuse detection. 0 disables. */
  reuseGraceMs: number;
  secret: Uint8Array;
  /** Called when a session is revoked, so its open sockets can be closed. */
  onRevoke?: (sessionId: string) => void;
  /** Outcomes only, never a token. */
  log?: (message: string) => void;
  /** @default Date.now */
  now?: () => number;
}

export function createAuth(options: AuthOptions) {
  const { accessTtlMs, sessionTtlMs, reuseGraceMs, secret } = options;
  const { onRevoke = () => {}, log = () => {}, now = Date.now } = options;
  const sessions = new Map<string, Session>();
  // Every remembered refresh token points at its family, so a reused one is recognised.
  const families = new Map<string, Session>();
  let counters = zero();

  function forget(session: Session) {
    sessions.delete(session.id);
    families.delete(session.current);
    if (session.previous) families.delete(session.previous);
    for (const token of session.used) families.delete(token);
  }

  function revoke(session: Session) {
    if (!sessions.has(session.id)) return;
    counters.revocations++;
    forget(session);
    onRevoke(session.id);
  }

  async function issue(session: Session): Promise<Issued> {
    if (session.current) {
      if (session.previous) session.used.push(session.previous);
      while (session.used.length > REMEMBERED_USED_TOKENS)
        families.delete(session.used.shift() ?? '');
      session.previous = session.current;
    }
    session.rotatedAt = now();
    session.current = randomId();
    families.set(session.current, session);
    // JWT `exp` has second precision; report exactly that instant to the client.
    const issuedAt = Math.floor(now() / 1000);
    const exp = Math.floor((now() + accessTtlMs) / 1000);
    const accessToken = await new SignJWT({ sid: session.id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(session.user)
      .setJti(randomId())
      .setIssuedAt(issuedAt)
      .setExpirationTime(exp)
      .sign(secret);
    return {
      accessToken,
      expiresAt: exp * 1000,
      refreshToken: session.current,
      sessionEndsAt: session.endsAt,
      user: session.user,
    };
  }

  const live = (session: Session | undefined): session is Session =>
    session !== undefined && sessions.has(session.id) && now() < session.endsAt;

  return {
    get counters() {
      return counters;
    },
    resetCounters() {
      counters = zero();
    },
    /** How much the maps hold (the pruning test reads it). */
    sizes: () => ({ sessions: sessions.size, refreshTokens: families.size }),

    /** A new session for `user`; `replacing` (the request's refresh cookie) is revoked first. */
    login(user: string, replacing?: string): Promise<Issued> {
      counters.logins++;
      const previous = replacing ? families.get(replacing) : undefined;
      if (previous) revoke(previous);
      const session: Session = {
        id: randomId(),
        user,
        current: '',
        previous: undefined,
        used: [],
        rotatedAt: 0,
        endsAt: now() + sessionTtlMs,
      };
      sessions.set(session.id, session);
      return issue(session);
    },

    /** Rotates `refreshToken`; `null` when it is rejected. */
    async refresh(refreshToken: string | undefined): Promise<Issued | null> {
      const session = refreshToken ? families.get(refreshToken) : undefined;
      if (!refreshToken || !live(session)) {
        log(
          `refresh rejected: ${!refreshToken ? 'no cookie' : session ? 'session ended' : 'unknown token'}`,
        );
        counters.rejectedRefreshes++;
        return null;
      }
      if (refreshToken === session.previous && now() - session.rotatedAt < reuseGraceMs) {
        // Its answer was lost: the client never stored the new token. Rotate again, once.
        log('refresh with the previous token inside the grace window');
        counters.graceRefreshes++;
      } else if (refreshToken !== session.current) {
        // A used token came back: it was stolen or a client raced itself. End the family.
        log('refresh token reuse detected: family revoked');
        counters.reuseDetections++;
        counters.rejectedRefreshes++;
        revoke(session);
        return null;
      }
      counters.refreshes++;
      counters.refreshTimes.push(now());
      return issue(session);
    },

    /** Ends the session `refreshToken` belongs to, server-side. `true` when there was one. */
    logout(refreshToken: string | undefined): boolean {
      counters.logouts++;
      const session = refreshToken ? families.get(refreshToken) : undefined;
      if (!session) return false;
      revoke(session);
      return true;
    },

    /** Server-side revocation of every session of `user` (admin action). */
    revokeUser(user: string): number {
      let count = 0;
      for (const session of [...sessions.values()])
        if (session.user === user) {
          revoke(session);
          count++;
        }
      return count;
    },

    /** Drops ended sessions and every refresh token they remember. Returns how many. */
    prune(): number {
      let count = 0;
      for (const session of [...sessions.values()])
        if (now() >= session.endsAt) {
          forget(session);
          count++;
        }
      return count;
    },

    /** The user and session of a valid access token of a live session; `null` otherwise. */
    async verify(
      accessToken: string | undefined,
    ): Promise<{ user: string; sessionId: string; expiresAt: number } | null> {
      if (!accessToken) return null;
      try {
        const { payload } = await jwtVerify(accessToken, secret, {
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        const session = typeof payload.sid === 'string' ? sessions.get(payload.sid) : undefined;
        if (!live(session) || payload.sub !== session.user || payload.exp === undefined)
          return null;
        return { user: session.user, sessionId: session.id, expiresAt: payload.exp * 1000 };
      } catch {
        return null;
      }
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
