import 'server-only';
import { decodeJwt } from 'jose';
import { cookies } from 'next/headers';
import { cache } from 'react';
import { SERVER_TOKEN_MARGIN_MS, type SessionSnapshot } from '../shared/session';
import { cloak } from '../shared/ssr-secret';

/** Cookie set by the API server (server/cookies.ts): the access token, for server rendering. */
const ACCESS_COOKIE = 'at';

export interface RequestSession {
  /** For the page: nothing secret. `null` when nobody is signed in. */
  snapshot: SessionSnapshot | null;
  /** The access token, for this request's server-side TokenManager; `null` when it cannot be
   *  used here (absent, or expiring: the browser refreshes it). Never passed to a client
   *  component: they get `cloaked`. */
  token: string | null;
  /** `token` encrypted for the server rendering of client components (lib/shared/ssr-secret.ts). */
  cloaked: string | null;
}

/**
 * This request's session, from its access cookie. Decoded, not verified: the Next.js server has
 * no key, and needs none. It only decides what to render; the API verifies every request.
 * Once per request (React `cache`).
 */
export const requestSession = cache(async (): Promise<RequestSession> => {
  const token = (await cookies()).get(ACCESS_COOKIE)?.value;
  if (!token) return { snapshot: null, token: null, cloaked: null };
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    return { snapshot: null, token: null, cloaked: null };
  }
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number')
    return { snapshot: null, token: null, cloaked: null };
  const now = Date.now();
  const expiresAt = claims.exp * 1000;
  const usable = expiresAt - now > SERVER_TOKEN_MARGIN_MS;
  return {
    snapshot: {
      user: claims.sub,
      expiresAt,
      status: usable ? 'authenticated' : 'refreshing',
      renderedAt: now,
    },
    token: usable ? token : null,
    cloaked: usable ? await cloak(token) : null,
  };
});
