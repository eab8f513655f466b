import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** HS256 signing and verification against one per-server secret and an injectable clock. */
export interface Jwt {
  /**
   * `exp` is whole seconds, rounded down: the token expires at `exp * 1000` for client and server
   * alike, so a `ttlMs` <= 0 is expired at once and a TTL under ~1 s may be too.
   */
  sign(user: string, ttlMs: number | null, badKey?: boolean): Promise<string>;
  /** The user (`sub`) of a valid token, or `null` (bad signature, expired, malformed). */
  verify(token: string): Promise<{ user: string; exp: number | undefined } | null>;
}

const key = () => crypto.getRandomValues(new Uint8Array(32));

export function createJwt(now: () => number): Jwt {
  const secret = key();
  const verified = new Map<string, { user: string; exp: number | undefined }>();
  return {
    async sign(user, ttlMs, badKey) {
      const t = now();
      const jwt = new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user)
        .setIssuedAt(Math.floor(t / 1000))
        // jti: two tokens issued within the same second still differ.
        .setJti(randomUUID());
      if (ttlMs !== null) jwt.setExpirationTime(Math.floor((t + ttlMs) / 1000));
      return jwt.sign(badKey ? key() : secret);
    },
    async verify(token) {
      // Signatures checked once per token (load tests send thousands); expiry every time, as jose does.
      const hit = verified.get(token);
      if (hit) return hit.exp !== undefined && Math.floor(now() / 1000) >= hit.exp ? null : hit;
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        if (typeof payload.sub !== 'string') return null;
        const v = { user: payload.sub, exp: payload.exp };
        if (verified.size > 10_000) verified.clear();
        verified.set(token, v);
        return v;
      } catch {
        return null;
      }
    },
  };
}
