import { SessionExpiredError, TokenRefreshError } from '../shared/errors.js';
import { CrossTab } from './cross-tab.js';
import { Emitter } from './events.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import { RefreshFlight } from './refresh-flight.js';
import { RefreshSchedule } from './refresh-schedule.js';
import { Session } from './session.js';
import { belongToDifferentUsers, isTokenSet, notATokenSet } from './token-set.js';
import { TokenStore } from './token-store.js';
import type { TokenManagerEvents, TokenManagerOptions, TokenSet, TokenStatus } from './types.js';

const noop = () => {};

/** The token a refresh resolved with; `null` only when a restore found nobody signed in. */
const signedInToken = (token: string | null): string => {
  if (token === null) throw new SessionExpiredError('No session to refresh; sign in');
  return token;
};

/**
 * Keeps one session's tokens fresh: loads them lazily from `storage`, refreshes them before they
 * expire (or on demand), one refresh at a time, and tells listeners what happened.
 *
 * One instance per user session. Never share one between server-side requests.
 *
 * The manager is the public face of a few parts, each with one concern: the session's tokens,
 * expiry and status (`Session`), the one refresh in flight (`RefreshFlight`), the app's storage
 * (`TokenStore`), the background refresh and wake-up (`RefreshSchedule`), the other tabs
 * (`CrossTab`) and the listeners (`Emitter`).
 */
export class TokenManager {
  readonly #options: ResolvedOptions;
  readonly #events = new Emitter();
  readonly #schedule: RefreshSchedule;
  readonly #session: Session;
  readonly #flight: RefreshFlight;
  #disposed: TokenRefreshError | undefined;
  /** The "shared between server requests" warning was printed (once per manager). */
  #warnedSharedOnServer = false;

  /** @throws {TokenRefreshError} `INVALID_OPTION` when an option is missing or invalid; the message names it. */
  constructor(options: TokenManagerOptions) {
    this.#options = resolveOptions(options);
    const { scheduleRefresh, now } = this.#options;
    this.#schedule = new RefreshSchedule(scheduleRefresh, now, () => this.#refreshIfExpiring());
    this.#session = new Session(
      this.#options,
      this.#events,
      new TokenStore(this.#options.storage),
      (expiringFrom) => this.#schedule.arm(expiringFrom),
    );
    this.#flight = new RefreshFlight(this.#session, this.#events, this.#options);
    this.#session.crossTab = this.#openCrossTab();
  }

  /** `authenticated`, `refreshing` (a refresh runs here or in another tab) or `unauthenticated`. */
  get status(): TokenStatus {
    return this.#session.status;
  }

  /**
   * When the current access token expires, in epoch ms on this device's clock (see `TokenSet`
   * for how it is judged); `null` without tokens or for an opaque token.
   */
  get expiresAt(): number | null {
    return this.#session.expiresAt;
  }

  /**
   * A valid access token: the current one, or a fresh one when it is expiring (joining the
   * refresh in flight, if any). `null` when nobody is signed in; that never calls `refresh`,
   * except once with `restoreSession` to pick up a session kept in a cookie.
   * Rejects with `SessionExpiredError`, `RefreshFailedError`, or a `TokenRefreshError` coded
   * `STORAGE_FAILED`, `INVALID_TOKEN_SET` (stored value) or `DISPOSED`; never with a token in
   * the message.
   */
  getAccessToken(): Promise<string | null> {
    const token = this.peekAccessToken();
    if (token !== undefined) return Promise.resolve(token);
    if (this.#session.tokens === undefined) return this.#load().then(() => this.getAccessToken());
    return this.#flight.join();
  }

  /**
   * What `getAccessToken()` would resolve with when that needs no waiting (tokens loaded, not
   * expiring, no refresh running), read synchronously; `undefined` when it would have to wait.
   * The first call loads the tokens: from a synchronous storage (`memoryStorage`, `webStorage`)
   * at once, so the first operation after a page load needs no wait either.
   */
  peekAccessToken(): string | null | undefined {
    if (this.#flight.running) return undefined;
    if (this.#session.tokens === undefined && !this.#disposed) this.#session.load().catch(noop);
    return this.#session.usableToken();
  }

  /**
   * Refreshes now (or joins the refresh in flight) and resolves with the new access token.
   *
   * With `failedToken` (the token a request was rejected with), when no refresh is in flight:
   * - it is no longer the current token: someone already refreshed, so this resolves with the
   *   current one without a call;
   * - the session it belonged to has ended: this rejects with `SessionExpiredError` without a
   *   call. After a session ends, nothing calls `refresh` until new tokens arrive.
   *
   * Without `failedToken` and without tokens it calls `refresh` with `refreshToken: undefined`:
   * an app's explicit request to pick up a session kept in a cookie.
   */
  refresh(options?: { failedToken?: string }): Promise<string> {
    const tokens = this.#session.tokens;
    if (tokens === undefined) return this.#load().then(() => this.refresh(options));
    const failedToken = options?.failedToken;
    if (failedToken !== undefined && !this.#flight.running) {
      if (!tokens) {
        return Promise.reject(new SessionExpiredError());
      }
      if (failedToken !== tokens.accessToken && this.#session.isFresh()) {
        return Promise.resolve(tokens.accessToken);
      }
    }
    return this.#flight.join().then(signedInToken);
  }

  /**
   * Stores tokens after a sign-in; may change the user. Wins over a refresh in flight: that
   * refresh is aborted, its result is never stored, and its waiters get what `getAccessToken()`
   * gives now. A JWT with `iat` counts as issued just now: pass `expiresAt` for a token issued a
   * while ago.
   * Rejects with a `TokenRefreshError` coded `INVALID_TOKEN_SET` when `tokens` is not a
   * `TokenSet` (the message names the field), or `STORAGE_FAILED` when saving fails (the tokens
   * are still used in memory).
   */
  async setTokens(tokens: TokenSet): Promise<void> {
    this.#throwIfDisposed();
    if (!isTokenSet(tokens)) throw notATokenSet('setTokens()', tokens);
    this.#warnIfSharedOnServer(tokens);
    this.#flight.supersede();
    await this.#session.use(tokens, 'setTokens');
  }

  /**
   * Ends the session: aborts a refresh in flight (its waiters reject with `SessionExpiredError`),
   * forgets the tokens, clears storage, tells other tabs, then emits `logout` with `reason`.
   * `logout` is emitted once per session: calling this again without new tokens emits nothing.
   */
  async logout(reason?: unknown): Promise<void> {
    this.#throwIfDisposed();
    // Whether a session exists decides whether `logout` is emitted; a failing load still clears.
    if (this.#session.tokens === undefined) await this.#load().catch(noop);
    await this.#endSession(reason, false);
  }

  /**
   * Subscribes to an event; returns the unsubscribe function. Listeners run synchronously; one
   * that throws is reported (`reportError` where available) and never breaks the manager.
   *
   * Order of events:
   * - refresh succeeds: `status('refreshing')`, `refreshing`, `tokens`, `status('authenticated')`
   * - refresh fails transiently: `status('refreshing')`, `refreshing`, `refreshFailed`
   *   (`RefreshFailedError`), `status('authenticated')` (`'unauthenticated'` without tokens)
   * - refresh token rejected: `status('refreshing')`, `refreshing`, `refreshFailed`
   *   (`SessionExpiredError`), `status('unauthenticated')`, `logout` (after storage is cleared)
   * - `restoreSession` finds nobody signed in: `status('refreshing')`, `refreshing`,
   *   `status('unauthenticated')`
   * - `setTokens` / tokens from another tab: `tokens`, `status('authenticated')`
   * - `logout()` / logout in another tab: `status('unauthenticated')`, `logout`
   *
   * `status` fires only on change. Loading tokens from storage emits `status` but not `tokens`.
   * `refreshFailed` fires only for a refresh that called `refresh`.
   *
   * @throws {TokenRefreshError} `INVALID_OPTION` for an unknown event or a listener that is not a function.
   */
  on<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Stops timers, aborts a refresh in flight, closes the cross-tab channel, removes the wake-up
   * listeners and drops event listeners. Afterwards every method (and every waiter of the
   * aborted refresh) rejects with a `TokenRefreshError` whose code is `DISPOSED`. Storage is
   * left as it is.
   */
  dispose(): void {
    this.#disposed = new TokenRefreshError('DISPOSED', 'TokenManager is disposed');
    this.#flight.supersede(this.#disposed);
    this.#session.close();
    this.#schedule.dispose();
    this.#events.clear();
    this.#session.crossTab?.close();
    this.#session.crossTab = undefined;
  }

  #load(): Promise<void> {
    if (this.#disposed) return Promise.reject(this.#disposed);
    return this.#session.load();
  }

  #endSession(reason: unknown, fromAnotherTab: boolean): Promise<void> {
    this.#flight.supersede(new SessionExpiredError(undefined, { cause: reason }));
    return this.#session.end(reason, fromAnotherTab);
  }

  /** Refreshes now when the token is expiring; otherwise waits for the right moment. */
  #refreshIfExpiring(): void {
    if (!this.#session.tokens) return;
    if (this.peekAccessToken() === undefined) this.getAccessToken().catch(noop);
    else this.#schedule.arm(this.#session.expiringFrom);
  }

  #openCrossTab(): CrossTab | undefined {
    const { crossTabName, timeoutMs } = this.#options;
    if (crossTabName === undefined) return undefined;
    // A lock holder that takes longer than one refresh may take is frozen or gone.
    return CrossTab.open(crossTabName, timeoutMs, {
      onTokens: (tokens) => {
        this.#flight.supersede();
        this.#session.use(tokens, 'anotherTab').catch(noop);
      },
      onLogout: () => {
        this.#endSession('crossTab', true).catch(noop);
      },
      onRefreshing: (released) => {
        if (this.#flight.running) return;
        this.#session.setStatus('refreshing');
        released().then(() => {
          if (!this.#flight.running) this.#session.settleStatus();
        });
      },
    });
  }

  /**
   * On a server a manager must live for one request: one that signs in two different users is
   * shared between requests, and would send one user's token for another's.
   */
  #warnIfSharedOnServer(tokens: TokenSet): void {
    if (this.#warnedSharedOnServer || typeof document !== 'undefined') return;
    if (belongToDifferentUsers(this.#session.tokens, tokens)) {
      this.#warnedSharedOnServer = true;
      console.warn(
        'apollo-token-refresh: a TokenManager got tokens of two users on a server; create one per request (docs/security.md)',
      );
    }
  }

  #throwIfDisposed(): void {
    if (this.#disposed) throw this.#disposed;
  }
}

/** Lets users write `TokenManager.Options`, like Apollo's `XLink.Options`. */
export declare namespace TokenManager {
  type Options = TokenManagerOptions;
}
