import { decodeJwt } from 'jose';
import type { TokenSet } from './types.js';

/** Shape check for anything that claims to be a `TokenSet` (storage, refresh results, other tabs). */
export const isTokenSet = (value: unknown): value is TokenSet => {
  const t = value as Partial<TokenSet> | null;
  return (
    typeof t?.accessToken === 'string' &&
    t.accessToken !== '' &&
    (t.refreshToken === undefined || typeof t.refreshToken === 'string') &&
    (t.expiresAt === undefined || Number.isFinite(t.expiresAt))
  );
};

/**
 * Expiry in epoch ms: `expiresAt`, else the JWT `exp` (decoded, never verified: the client has
 * no key and does not need one to schedule a refresh). `Infinity` for opaque or malformed tokens,
 * which then only refresh reactively.
 */
export const expiryOf = (t: TokenSet): number => {
  const exp = t.expiresAt ?? (claimsOf(t).exp as number) * 1000;
  return Number.isFinite(exp) ? exp : Infinity;
};

/** The access token's JWT claims, decoded and not verified; none for an opaque token. */
export const claimsOf = (t: TokenSet | null | undefined): { exp?: unknown; sub?: unknown } => {
  try {
    return decodeJwt(t?.accessToken ?? '');
  } catch {
    return {};
  }
};
