import { decodeJwt } from 'jose';
import type { AppSession, AppTokens } from './types.js';

/** Reads the JWT `exp` once per token, as apps do with `jwt-decode`; opaque tokens never expire. */
function expiresAt(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The token store of the hand-written clients: two variables and an expiry check. */
export function createAppSession(tokens: AppTokens, now: () => number): AppSession {
  let exp = 0;
  let logouts = 0;
  const s: AppSession = {
    accessToken: null,
    refreshToken: null,
    expired: () => s.accessToken !== null && now() >= exp,
    set(t) {
      s.accessToken = t.accessToken;
      s.refreshToken = t.refreshToken;
      exp = expiresAt(t.accessToken);
    },
    logout() {
      s.accessToken = null;
      s.refreshToken = null;
      logouts++;
    },
    get logouts() {
      return logouts;
    },
  };
  s.set(tokens);
  return s;
}

/**
 * The refresh call blog posts write: POST the refresh token, store the answer, log out and
 * throw when the endpoint refuses.
 */
export async function refreshSession(session: AppSession, refreshUrl: string): Promise<void> {
  const res = await fetch(refreshUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  if (!res.ok) {
    await res.body?.cancel();
    session.logout();
    throw Object.assign(new Error(`refresh answered HTTP ${res.status}`), {
      name: 'RefreshError',
      status: res.status,
    });
  }
  session.set((await res.json()) as AppTokens);
}
