import { decodeJwt } from 'jose';
import { TokenRefreshError } from '../shared/errors.js';
import type { TokenSet } from './types.js';

/** Each field of a `TokenSet`: what it must be, and the check. */
const FIELDS: readonly [keyof TokenSet, string, (value: unknown) => boolean][] = [
  ['accessToken', 'a non-empty string', (value) => typeof value === 'string' && value !== ''],
  [
    'refreshToken',
    'a string or absent',
    (value) => value === undefined || typeof value === 'string',
  ],
  [
    'expiresAt',
    'a finite number or absent',
    (value) => value === undefined || Number.isFinite(value),
  ],
];

/**
 * What is wrong with a value that should be a `TokenSet`, naming the field and what it must be
 * (never the value: it may be a token); `undefined` when it is one. Used wherever a `TokenSet`
 * comes from outside: `setTokens`, storage, `refresh`, another tab.
 */
export function tokenSetProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `expected an object, got ${value === null ? 'null' : typeof value}`;
  }
  for (const [field, expected, valid] of FIELDS) {
    const found = (value as Record<string, unknown>)[field];
    if (valid(found)) continue;
    // The most common mistake: an OAuth 2.0 token response returned as it came.
    const hint =
      field === 'accessToken' && 'access_token' in value
        ? ' (an OAuth 2.0 response has access_token: map it, or use oauth2Refresh)'
        : '';
    return `${field} must be ${expected}, got ${found === undefined ? 'none' : typeof found}${hint}`;
  }
  return undefined;
}

export const isTokenSet = (value: unknown): value is TokenSet =>
  tokenSetProblem(value) === undefined;

/** The `INVALID_TOKEN_SET` error for `value`, which `where` got instead of a `TokenSet`. */
export const notATokenSet = (where: string, value: unknown): TokenRefreshError =>
  new TokenRefreshError(
    'INVALID_TOKEN_SET',
    `${where}: not a TokenSet: ${tokenSetProblem(value) ?? 'invalid'}`,
  );

/** The access token's JWT claims the manager reads; all absent for an opaque token. */
export interface AccessTokenClaims {
  /** Expiry, epoch seconds (server clock). */
  exp?: number;
  /** Issue time, epoch seconds (server clock). */
  iat?: number;
  /** The user the token belongs to. */
  sub?: string;
}

/**
 * The access token's claims, decoded and not verified: the client has no key and needs none to
 * schedule a refresh. A malformed token, or a claim of the wrong type, reads as absent.
 */
export function claimsOf(tokens: TokenSet | null | undefined): AccessTokenClaims {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(tokens?.accessToken ?? '');
  } catch {
    return {};
  }
  const { exp, iat, sub } = payload;
  return {
    ...(Number.isFinite(exp) && { exp: exp as number }),
    ...(Number.isFinite(iat) && { iat: iat as number }),
    ...(typeof sub === 'string' && { sub }),
  };
}

/** Both access tokens name a user (JWT `sub`), and not the same one. */
export function belongToDifferentUsers(
  first: TokenSet | null | undefined,
  second: TokenSet | null | undefined,
): boolean {
  const firstUser = claimsOf(first).sub;
  const secondUser = claimsOf(second).sub;
  return firstUser !== undefined && secondUser !== undefined && firstUser !== secondUser;
}
