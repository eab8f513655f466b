import type { IncomingMessage } from 'node:http';

/**
 * The two cookies of a session, both `HttpOnly` (no page script reads them) and
 * `SameSite=Strict` (no other site makes the browser send them):
 *
 * - `rt`, the refresh token, goes only to `/api/auth/*` (Path), never to `/graphql` or a page.
 * - `at`, the access token, goes to page loads only so server rendering can act for the user.
 *   The API never reads it for GraphQL (that takes `authorization: Bearer`), so a cross-site
 *   request cannot use it. Page script gets its own copy from `/api/auth/refresh`, in memory.
 *
 * Both expire when the session does (`Max-Age` = what is left of it), so neither outlives it;
 * an `at` whose JWT has expired still tells server rendering "signed in, the browser refreshes".
 */
export const REFRESH_COOKIE = 'rt';
export const ACCESS_COOKIE = 'at';
const REFRESH_PATH = '/api/auth';

function serialize(
  name: string,
  value: string,
  path: string,
  maxAgeMs: number,
  secure: boolean,
): string {
  const seconds = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${name}=${value}; Path=${path}; Max-Age=${seconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function sessionCookies(
  tokens: { accessToken: string; refreshToken: string; sessionEndsAt: number },
  now: number,
  secure: boolean,
): string[] {
  const left = tokens.sessionEndsAt - now;
  return [
    serialize(REFRESH_COOKIE, tokens.refreshToken, REFRESH_PATH, left, secure),
    serialize(ACCESS_COOKIE, tokens.accessToken, '/', left, secure),
  ];
}

export const clearedCookies = (secure: boolean): string[] => [
  serialize(REFRESH_COOKIE, '', REFRESH_PATH, 0, secure),
  serialize(ACCESS_COOKIE, '', '/', 0, secure),
];

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of req.headers.cookie?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name)
      return part.slice(separator + 1).trim() || undefined;
  }
  return undefined;
}
