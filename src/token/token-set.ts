import { decodeJwt } from 'jose';
import type { TokenSet } from './types.js';

/** Shape check for anything that claims to be a `TokenSet` (storage, refresh results, other tabs). */
export const isTokenSet = (value: unknown): value is TokenSet => {
  const tokens = value as Partial<TokenSet> | null;
  return (
    typeof tokens?.accessToken === 'string' &&
    tokens.accessToken !== '' &&
    (tokens.refreshToken === undefined || typeof tokens.refreshToken === 'string') &&
    (tokens.expiresAt === undefined || Number.isFinite(tokens.expiresAt))
  );
};

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
