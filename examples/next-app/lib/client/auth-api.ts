import type { RefreshFunction } from 'apollo-token-refresh';

/** A token answer of `/api/auth/login` and `/api/auth/refresh` (the refresh token is a cookie). */
export interface TokenAnswer {
  accessToken: string;
  expiresAt: number;
  user: string;
}

/** An answer other than 2xx. `status` is what the manager's default `isSessionEnded` reads. */
export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`The auth endpoint answered ${status}${code ? ` (${code})` : ''}`);
    this.name = 'AuthApiError';
  }
}

/**
 * POSTs JSON to `/api/auth/<name>`, same origin (the server refuses anything else, see
 * server/request-guard.ts). The browser adds the httpOnly refresh cookie by itself.
 */
export async function postAuth(
  name: 'login' | 'refresh' | 'logout',
  body: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<Response> {
  const res = await fetch(`/api/auth/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok) {
    const answer = (await res.json().catch(() => ({}))) as { error?: string };
    throw new AuthApiError(res.status, answer.error);
  }
  return res;
}

/**
 * The manager's `refresh`: `refreshToken` is always undefined here, the endpoint reads the
 * cookie. A 401 (no session, or the refresh token was rejected) ends the session.
 */
export const refreshWithCookie: RefreshFunction = async ({ signal }) => {
  const { accessToken, expiresAt } = (await (
    await postAuth('refresh', {}, signal)
  ).json()) as TokenAnswer;
  return { accessToken, expiresAt };
};
