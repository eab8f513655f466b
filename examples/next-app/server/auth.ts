import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** One login: a family of single-use refresh tokens. Reusing an old one revokes the family. */
interface Session {
  id: string;
  user: string;
  /** The only refresh token of the family that is still valid. */
  current: string;
  /** The one it replaced, accepted once more within the grace window (see `refresh`). */
  previous: string | undefined;
  rotatedAt: number;
  revoked: boolean;
  expiresAt: number;
}

export interface Issued {
  accessToken: string;
  /** Epoch ms; equals the JWT `exp`. */
  expiresAt: number;
  refreshToken: string;
}

/** What the e2e tests read from `/__test/counters`. */
export interface AuthCounters {
  logins: number;
  /** Successful refreshes, grace ones included (each one rotated the refresh token). */
  refreshes: number;
  /** When each successful refresh happened (epoch ms). */
  refreshTimes: number[];
  /** Refresh calls answered 401 (unknown, revoked or reused token, or no cookie). */
  rejectedRefreshes: number;
  /** Times an already-used refresh token came back: the family was revoked. */
  reuseDetections: number;
  /** Refreshes with the previous token inside the grace window (a response that never arrived). */
  graceRefreshes: number;
  logouts: number;
  revocations: number;
  graphqlRequests: number;
  unauthenticated: number;
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
  graphqlRequests: 0,
  unauthenticated: 0,
  wsConnections: 0,
  wsRejected: 0,
});

const id = () => randomBytes(24).toString('base64url');
// Outcomes only, never a token.
const log = (m: string) => process.env.LOG_AUTH === '1' && console.log(`[auth] ${m}`);

export function createAuth(options: {
  accessTtlMs: number;
  refreshTtlMs: number;
  /** How long the previous refresh token still works once: a tab closed mid-refresh, or a lost
   *  response, would otherwise present it again and trip reuse detection. 0 disables. */
  reuseGraceMs: number;
  secret: Uint8Array;
  /** Called when a session is revoked, so open sockets of it can be closed. */
  onRevoke: (sessionId: string) => void;
}) {
  const { accessTtlMs, refreshTtlMs, reuseGraceMs, secret, onRevoke } = options;
  const sessions = new Map<string, Session>();
  // Every refresh token ever issued points at its family, so a reused one is recognised.
  const families = new Map<string, Session>();
  let counters = zero();

  async function issue(s: Session): Promise<Issued> {
    s.previous = s.current || undefined;
    s.rotatedAt = Date.now();
    s.current = id();
    families.set(s.current, s);
    // JWT `exp` has second precision; report exactly that instant to the client.
    const exp = Math.floor((Date.now() + accessTtlMs) / 1000);
    const accessToken = await new SignJWT({ sid: s.id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(s.user)
      .setJti(id())
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(secret);
    return { accessToken, expiresAt: exp * 1000, refreshToken: s.current };
  }

  function revoke(s: Session) {
    if (s.revoked) return;
    s.revoked = true;
    counters.revocations++;
    onRevoke(s.id);
  }

  return {
    get counters() {
      return counters;
    },
    resetCounters() {
      counters = zero();
    },

    login(user: string): Promise<Issued> {
      counters.logins++;
      const s: Session = {
        id: id(),
        user,
        current: '',
        previous: undefined,
        rotatedAt: 0,
        revoked: false,
        expiresAt: Date.now() + refreshTtlMs,
      };
      sessions.set(s.id, s);
      return issue(s);
    },

    /** Rotates `refreshToken`; `null` when it is rejected. */
    async refresh(refreshToken: string | undefined): Promise<Issued | null> {
      const s = refreshToken ? families.get(refreshToken) : undefined;
      if (!s || s.revoked || Date.now() > s.expiresAt) {
        const why = !refreshToken
          ? 'no cookie'
          : !s
            ? 'unknown token'
            : s.revoked
              ? 'revoked'
              : 'expired';
        log(`refresh rejected: ${why}`);
        counters.rejectedRefreshes++;
        return null;
      }
      if (refreshToken === s.previous && Date.now() - s.rotatedAt < reuseGraceMs) {
        // Its answer was lost: the client never stored the new token. Rotate again, once.
        log('refresh with the previous token inside the grace window');
        counters.graceRefreshes++;
        counters.refreshes++;
        counters.refreshTimes.push(Date.now());
        return issue(s);
      }
      if (refreshToken !== s.current) {
        // A used token came back: it was stolen or a client raced itself. End the family.
        log('refresh token reuse detected: family revoked');
        counters.reuseDetections++;
        counters.rejectedRefreshes++;
        revoke(s);
        return null;
      }
      counters.refreshes++;
      counters.refreshTimes.push(Date.now());
      return issue(s);
    },

    logout(refreshToken: string | undefined) {
      const s = refreshToken ? families.get(refreshToken) : undefined;
      counters.logouts++;
      if (s && !s.revoked) {
        s.revoked = true;
        onRevoke(s.id);
      }
    },

    /** Server-side revocation of every session of `user` (admin action). */
    revokeUser(user: string): number {
      let n = 0;
      for (const s of sessions.values())
        if (s.user === user && !s.revoked) {
          revoke(s);
          n++;
        }
      return n;
    },

    /** The user and session of a valid, unrevoked access token; `null` otherwise. */
    async verify(
      accessToken: string | undefined,
    ): Promise<{ user: string; sessionId: string; expiresAt: number } | null> {
      if (!accessToken) return null;
      try {
        const { payload } = await jwtVerify(accessToken, secret, { algorithms: ['HS256'] });
        const s = typeof payload.sid === 'string' ? sessions.get(payload.sid) : undefined;
        if (!s || s.revoked || payload.sub !== s.user || payload.exp === undefined) return null;
        return { user: s.user, sessionId: s.id, expiresAt: payload.exp * 1000 };
      } catch {
        return null;
      }
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
