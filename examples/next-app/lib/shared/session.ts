/**
 * What the server knows about this request's session, for the first paint: nothing secret (it
 * travels in the page), decoded from the access cookie. The browser renders the same values while
 * it hydrates, then switches to its own TokenManager.
 */
export interface SessionSnapshot {
  /** The JWT `sub`. */
  user: string;
  /** When the access token in the cookie expires (epoch ms). */
  expiresAt: number;
  /** `authenticated` when the server could use the token; `refreshing` when the browser must
   *  refresh it first (it expires within `SERVER_TOKEN_MARGIN_MS`). */
  status: 'authenticated' | 'refreshing';
  /** When the server rendered (epoch ms): the countdown's "now" until hydration is done. */
  renderedAt: number;
}

/**
 * A token with less than this left is not used by the server: it cannot refresh (a rotated
 * refresh cookie cannot be set on a streamed page), so the browser refreshes instead.
 */
export const SERVER_TOKEN_MARGIN_MS = 1_000;
