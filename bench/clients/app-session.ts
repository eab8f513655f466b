/**
 * The app-side token store of the clients whose docs leave storage to the app (naive,
 * one-future, legacy, urql): two variables and an expiry check, as their examples keep tokens.
 */
import { decodeJwt } from 'jose';
import type { AppTokens, ClientEnv } from './types.js';

export interface AppSession {
  accessToken: string | null;
  refreshToken: string | null;
  /** True when the access token's `exp` has passed on the shared clock. */
  expired(): boolean;
  set(tokens: AppTokens): void;
  /** Clears the tokens and counts a logout. */
  logout(): void;
  readonly logouts: number;
}

/** Reads the JWT `exp` once per token, as apps do with `jwt-decode`; opaque tokens never expire. */
function expiresAt(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

export function createAppSession(tokens: AppTokens, now: () => number): AppSession {
  let expiry = 0;
  let logouts = 0;
  const session: AppSession = {
    accessToken: null,
    refreshToken: null,
    expired: () => session.accessToken !== null && now() >= expiry,
    set(next) {
      session.accessToken = next.accessToken;
      session.refreshToken = next.refreshToken;
      expiry = expiresAt(next.accessToken);
    },
    logout() {
      session.accessToken = null;
      session.refreshToken = null;
      logouts++;
    },
    get logouts() {
      return logouts;
    },
  };
  session.set(tokens);
  return session;
}

/** The error of a refused refresh, coded alike for every hand-written client. */
export function refreshRefused(status: number): Error {
  return Object.assign(new Error(`refresh answered HTTP ${status}`), {
    code: `REFRESH_HTTP_${status}`,
  });
}

/** The refresh call blog posts write: POST the refresh token, store the answer, log out when refused. */
export async function refreshSession(session: AppSession, env: ClientEnv): Promise<void> {
  const response = await env.fetch(env.refreshUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  if (!response.ok) {
    await response.body?.cancel();
    session.logout();
    throw refreshRefused(response.status);
  }
  session.set((await response.json()) as AppTokens);
}
