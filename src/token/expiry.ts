import { claimsOf } from './token-set.js';
import type { TokenSet } from './types.js';

/**
 * Where tokens came from, which decides how their expiry is judged:
 * - `refreshed`: `refresh` returned them just now;
 * - `signedIn`: the app passed them to `setTokens`;
 * - `stored`: read back from storage or sent by another tab, already judged when they arrived.
 */
export type TokenArrival = 'refreshed' | 'signedIn' | 'stored';

/**
 * When the access token expires on this device's clock, in epoch ms; `Infinity` when that cannot
 * be known (an opaque token), so that it is only refreshed once the server rejects it.
 *
 * Device clocks are often minutes off. A JWT `exp` read against a clock that is ahead makes a
 * fresh token look expired, so every operation would refresh (and with single-use refresh tokens
 * burn the session); against a clock that is behind, an expired token looks valid. So a token
 * that just arrived is judged on its own lifetime, `exp − iat`, counted from `now`. The result is
 * stored as the tokens' `expiresAt`, so tokens read back later (storage, another tab) are judged
 * on the same clock. A token `refresh` just returned is never taken for expired: when its
 * expiry is not in the future on this clock and it carries no lifetime, it counts as opaque.
 */
export function expiryOf(tokens: TokenSet, arrival: TokenArrival, now: number): number {
  const { expiresAt } = tokens;
  if (expiresAt !== undefined && (arrival !== 'refreshed' || expiresAt > now)) return expiresAt;
  const { exp, iat } = claimsOf(tokens);
  if (exp === undefined) return Infinity;
  if (arrival !== 'stored' && iat !== undefined && exp > iat) return now + (exp - iat) * 1000;
  const wallClockExpiry = exp * 1000;
  return arrival === 'refreshed' && wallClockExpiry <= now ? Infinity : wallClockExpiry;
}

/**
 * From when a token counts as expiring (it is refreshed before use): `marginMs` before its
 * expiry. A token that lives less than the margin would count as expiring the moment it arrives
 * and every operation would refresh again, so one that just arrived (from `refresh` or
 * `setTokens`) is used for at least the first half of its remaining life. Tokens read back from
 * storage or another tab were judged when they arrived: the margin alone applies.
 */
export function expiringFrom(
  expiry: number,
  marginMs: number,
  arrival: TokenArrival,
  now: number,
): number {
  const byMargin = expiry - marginMs;
  return arrival === 'stored' ? byMargin : Math.max(byMargin, now + (expiry - now) / 2);
}
