import type { RefreshFailedError, SessionExpiredError } from '../shared/errors.js';

/** The tokens of one session. */
export interface TokenSet {
  /** The token sent with every operation. */
  accessToken: string;
  /**
   * Passed to your `refresh` function. Leave it out for cookie-based flows, where the refresh
   * token lives in an httpOnly cookie that page script never sees (recommended in browsers).
   */
  refreshToken?: string;
  /**
   * When the access token expires, in epoch milliseconds on this device's clock. When absent, it
   * is judged from the access token's JWT (decoded, never verified, on the client): with `iat`
   * and `exp`, the token lives `exp − iat` from the moment it arrived, whatever the device clock
   * says; with `exp` only, until `exp`. When none of these exists (an opaque token), only
   * reactive refresh applies. The manager fills it in as judged on arrival, so stored tokens
   * and the `tokens` event carry it.
   */
  expiresAt?: number;
}

/**
 * Where tokens are kept between page loads. Each method may be synchronous or return a
 * promise. A method that throws or rejects surfaces as a `TokenRefreshError` coded `STORAGE_FAILED`.
 */
export interface TokenStorage {
  load(): TokenSet | null | Promise<TokenSet | null>;
  save(tokens: TokenSet): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** What your `refresh` function receives. */
export interface RefreshContext {
  /** The current refresh token; `undefined` when there is none (cookie-based flows). */
  refreshToken: string | undefined;
  /** Aborted when the refresh times out (`refreshTimeoutMs`) and on `logout`. Pass it to `fetch`. */
  signal: AbortSignal;
}

/**
 * Exchanges the refresh token for new tokens. Resolve with the new `TokenSet`; a field left out
 * keeps its current value (a server that does not rotate refresh tokens answers the access token
 * only). Reject with an error whose `status` or `statusCode` is 400, 401 or 403 (or a
 * `SessionExpiredError`) when the refresh token is rejected, so the session ends; any other
 * rejection is treated as transient.
 */
export type RefreshFunction = (context: RefreshContext) => Promise<TokenSet>;

/** The manager's state, also emitted as the `status` event. */
export type TokenStatus = 'authenticated' | 'refreshing' | 'unauthenticated';

/** Retry policy for transient refresh failures. */
export interface RetryOptions {
  /**
   * How many times `refresh` is called in total for one refresh before it fails with
   * `RefreshFailedError`. `1` disables retries.
   * @default 2
   */
  attempts?: number;
  /**
   * Delay before retry number `attempt` (1 for the first retry), in milliseconds.
   * @default attempt => Math.min(250 * 2 ** (attempt - 1), 5_000)
   */
  delayMs?: (attempt: number) => number;
}

/** Options of `new TokenManager(options)`. */
export interface TokenManagerOptions {
  /** Exchanges the refresh token for a new `TokenSet`. Required. */
  refresh: RefreshFunction;
  /**
   * Where tokens are kept.
   * @default memoryStorage()
   */
  storage?: TokenStorage;
  /**
   * A token counts as expiring, and is refreshed before use, when
   * `now() >= expiresAt - refreshBeforeExpiryMs`.
   * @default 30_000
   */
  refreshBeforeExpiryMs?: number;
  /**
   * A refresh attempt that has not settled after this many milliseconds is aborted (its
   * `signal` fires) and counts as a transient failure.
   * @default 10_000
   */
  refreshTimeoutMs?: number;
  /**
   * Retries of transient refresh failures.
   * @default { attempts: 2, delayMs: exponential from 250 ms, capped at 5 s }
   */
  retry?: RetryOptions;
  /**
   * Decides whether a refresh error ends the session (`true`) or is transient (`false`).
   * @default error => error is a SessionExpiredError, or has `status`/`statusCode` 400, 401 or 403
   */
  isSessionEnded?: (error: unknown) => boolean;
  /**
   * Refresh in the background shortly before the token starts expiring, so operations rarely
   * wait. The timer is unref'd in Node and re-armed after every new token. In browsers, an
   * expiring token is also refreshed at once when the page becomes visible again or the network
   * comes back (a timer fires late after sleep); `dispose()` removes those listeners.
   * @default false
   */
  scheduleRefresh?: boolean;
  /**
   * Browsers: tabs of one origin share one refresh (Web Locks) and its tokens
   * (BroadcastChannel). `true` uses the channel and lock name `apollo-token-refresh`.
   * Silently single-tab where those APIs are missing (Node, SSR).
   * @default false
   */
  crossTab?: boolean | { name: string };
  /**
   * Cookie flows: when storage holds no tokens, the first `getAccessToken()` calls `refresh` once
   * (with `refreshToken: undefined`) to pick up a session kept in an httpOnly cookie, instead of
   * sending the first operation anonymously. A rejection that `isSessionEnded` accepts means
   * nobody is signed in: `getAccessToken()` resolves `null`, and no `logout` is emitted.
   * Concurrent first operations share that one call.
   * @default false
   */
  restoreSession?: boolean;
  /**
   * The clock used for expiry decisions, in epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/** Listener signatures of `TokenManager.on(event, listener)`. */
export interface TokenManagerEvents {
  /** New tokens were stored (refresh, `setTokens`, or another tab). */
  tokens: (tokens: TokenSet) => void;
  /** A refresh started. */
  refreshing: () => void;
  /** A refresh failed: transiently (`RefreshFailedError`) or for good (`SessionExpiredError`). */
  refreshFailed: (error: RefreshFailedError | SessionExpiredError) => void;
  /** The session ended; emitted once per session end, after storage was cleared. */
  logout: (reason: unknown) => void;
  /** The status changed. */
  status: (status: TokenStatus) => void;
}
