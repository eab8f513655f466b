import { decodeJwt } from 'jose';
import { TokenRefreshError } from '../shared/errors.js';
import type { TokenSet } from './types.js';

/**
 * What is wrong with a value that should be a `TokenSet`, naming the field and what it must be
 * (never the value: it may be a token); `undefined` when it is one. Used wherever a `TokenSet`
 * comes from outside: `setTokens`, storage, `refresh`, another tab.
 */
export function tokenSetProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `expected an object with accessToken, got ${value === null ? 'null' : typeof value}`;
  }
  const { accessToken, refreshToken, expiresAt } = value as Record<keyof TokenSet, unknown>;
  if (accessToken === undefined) {
    // The most common mistake: returning an OAuth 2.0 token response as it came.
    const hint =
      'access_token' in value
        ? ' (an OAuth 2.0 response has access_token: map it, or use oauth2Refresh)'
        : '';
    return `accessToken is missing${hint}`;
  }
  if (typeof accessToken !== 'string' || accessToken === '') {
    return `accessToken must be a non-empty string, got ${accessToken === '' ? 'an empty string' : typeof accessToken}`;
  }
  if (refreshToken !== undefined && typeof refreshToken !== 'string') {
    return `refreshToken must be a string when present, got ${typeof refreshToken}`;
  }
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    return `expiresAt must be a finite number when present, got ${typeof expiresAt === 'number' ? expiresAt : typeof expiresAt}`;
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
