import { RefreshFailedError, SessionExpiredError, TokenRefreshError } from '../shared/errors.js';
import { later } from '../shared/timers.js';
import { CrossTab } from './cross-tab.js';
import { Emitter } from './events.js';
import { expiringFrom, expiryOf, type TokenArrival } from './expiry.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import { type AttemptsOutcome, callRefresh } from './refresh-attempts.js';
import { belongToDifferentUsers, isTokenSet } from './token-set.js';
import type { TokenManagerEvents, TokenManagerOptions, TokenSet, TokenStatus } from './types.js';
import { listenForWakeUp } from './wake-up.js';

/**
 * Where new tokens come from, and so what the manager does with them: how their expiry is
 * judged, whether the `tokens` event fires, whether other tabs are told, whether storage is
 * written.
 */
type TokenSource = 'refresh' | 'setTokens' | 'anotherTab' | 'storageAfterAnotherTab' | 'storage';

const HANDLING: Record<
  TokenSource,
  { arrival: TokenArrival; emit: boolean; announce: boolean; save: boolean }
> = {
  refresh: { arrival: 'refreshed', emit: true, announce: true, save: true },
  setTokens: { arrival: 'signedIn', emit: true, announce: true, save: true },
  // Saved too: with a per-tab storage (memory) this tab's copy stays current.
  anotherTab: { arrival: 'stored', emit: true, announce: false, save: true },
  // Found in the shared storage after another tab's refresh: it was saved and announced there.
  storageAfterAnotherTab: { arrival: 'stored', emit: true, announce: false, save: false },
  // Loaded at the first use: the app already had these tokens.
  storage: { arrival: 'stored', emit: false, announce: false, save: false },
};

/** The outcome of one refresh, including tokens another tab left in the shared storage. */
type RefreshOutcome = AttemptsOutcome | { kind: 'fromAnotherTab'; tokens: TokenSet };

const noop = () => {};

/** The token a refresh resolved with; `null` only when a restore found nobody signed in. */
const signedInToken = (token: string | null): string => {
  if (token === null) throw new SessionExpiredError('No session to refresh; sign in');
  return token;
};

const report = (error: unknown) =>
  (globalThis as { reportError?: (error: unknown) => void }).reportError?.(error);

const notATokenSet = (where: string) =>
  new TokenRefreshError('INVALID_TOKEN_SET', `${where}: not a TokenSet`);

/**
 * Keeps one session's tokens fresh: loads them lazily from `storage`, refreshes them before they
 * expire (or on demand), one refresh at a time, and tells listeners what happened.
 *
 * One instance per user session. Never share one between server-side requests.
 *
 * A class with `#private` fields: each method carries its own docs and can be followed by
 * editors and call-graph tools; the minifier shortens what a reader should not have to.
 */
export class TokenManager {
  readonly #options: ResolvedOptions;
  readonly #events = new Emitter();
  #status: TokenStatus = 'unauthenticated';
  /** The current tokens; `undefined` until loaded from storage (and after `dispose`). */
  #tokens: TokenSet | null | undefined;
  /** When `#tokens` expire, on this device's clock (epoch ms); `Infinity` for an opaque token. */
  #expiry = Infinity;
  /** From when `#tokens` count as expiring, cached so the hot path never decodes a JWT. */
  #expiringFrom = Infinity;
  /**
   * Bumped whenever `#tokens` is replaced. A refresh that started under an older generation
   * never stores its result: newer tokens (`setTokens`, another tab) or a logout win.
   */
  #generation = 0;
  #loading: Promise<void> | undefined;
  /** The refresh every caller joins, and how to abort it. */
  #inFlight: { promise: Promise<string | null>; abort: AbortController } | undefined;
  #scheduledRefresh: ReturnType<typeof later> | undefined;
  /** `restoreSession`: true until a refresh found out whether a session exists. */
  #mayRestore: boolean;
  #crossTab: CrossTab | undefined;
  readonly #stopListeningForWakeUp: () => void;
  #disposed: TokenRefreshError | undefined;
  /** The "shared between server requests" warning was printed (once per manager). */
  #warnedSharedOnServer = false;

  /** @throws {TokenRefreshError} `INVALID_OPTION` when an option is missing or invalid; the message names it. */
  constructor(options: TokenManagerOptions) {
    this.#options = resolveOptions(options);
    this.#mayRestore = this.#options.restoreSession;
    this.#crossTab = this.#openCrossTab();
    this.#stopListeningForWakeUp = this.#options.scheduleRefresh
      ? listenForWakeUp(() => this.#refreshIfExpiring())
      : noop;
  }

  /** `authenticated`, `refreshing` (a refresh runs here or in another tab) or `unauthenticated`. */
  get status(): TokenStatus {
    return this.#status;
  }

  /**
   * When the current access token expires, in epoch ms on this device's clock (see `TokenSet`
   * for how it is judged); `null` without tokens or for an opaque token.
   */
  get expiresAt(): number | null {
    return this.#tokens && this.#expiry !== Infinity ? this.#expiry : null;
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
    if (this.#tokens === undefined) return this.#load().then(() => this.getAccessToken());
    return this.#inFlight?.promise ?? this.#startRefresh();
  }

  /**
   * What `getAccessToken()` would resolve with when that needs no waiting (tokens loaded, not
   * expiring, no refresh running), read synchronously; `undefined` when it would have to wait.
   * The links use it on the hot path of every operation.
   */
  peekAccessToken(): string | null | undefined {
    if (this.#inFlight) return undefined;
    const tokens = this.#tokens;
    if (tokens === null) return this.#mayRestore ? undefined : null;
    if (tokens && this.#options.now() < this.#expiringFrom) return tokens.accessToken;
    return undefined;
  }

  /**
   * Refreshes now (or joins the refresh in flight) and resolves with the new access token.
   * With `failedToken` (the token a request was rejected with): when it is no longer the current
   * token, someone already refreshed, so this resolves with the current one without a call.
   * Without tokens it calls `refresh` with `refreshToken: undefined` (cookie-based flows).
   */
  refresh(options?: { failedToken?: string }): Promise<string> {
    // Not an async function: after an auth error every failed operation calls this, and the
    // loaded case needs no extra promise hops.
    if (this.#tokens === undefined) return this.#load().then(() => this.refresh(options));
    const tokens = this.#tokens;
    const failedToken = options?.failedToken;
    const alreadyReplaced =
      !this.#inFlight &&
      tokens &&
      failedToken !== undefined &&
      failedToken !== tokens.accessToken &&
      this.#options.now() < this.#expiringFrom;
    if (alreadyReplaced) return Promise.resolve(tokens.accessToken);
    return (this.#inFlight?.promise ?? this.#startRefresh()).then(signedInToken);
  }

  /**
   * Stores tokens after a sign-in; may change the user. Wins over a refresh in flight: that
   * refresh is aborted, its result is never stored, and its waiters get what `getAccessToken()`
   * gives now. A JWT with `iat` counts as issued just now: pass `expiresAt` for a token issued a
   * while ago.
   * Rejects with a `TokenRefreshError` coded `INVALID_TOKEN_SET` when `tokens` is not a
   * `TokenSet`, or `STORAGE_FAILED` when saving fails (the tokens are still used in memory).
   */
  async setTokens(tokens: TokenSet): Promise<void> {
    this.#throwIfDisposed();
    if (!isTokenSet(tokens)) throw notATokenSet('setTokens()');
    this.#warnIfSharedOnServer(tokens);
    this.#supersede();
    await this.#useTokens(tokens, 'setTokens');
  }

  /**
   * Ends the session: aborts a refresh in flight (its waiters reject with `SessionExpiredError`),
   * forgets the tokens, clears storage, tells other tabs, then emits `logout` with `reason`.
   * `logout` is emitted once per session: calling this again without new tokens emits nothing.
   */
  async logout(reason?: unknown): Promise<void> {
    this.#throwIfDisposed();
    // Whether a session exists decides whether `logout` is emitted; a failing load still clears.
    if (this.#tokens === undefined) await this.#load().catch(noop);
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
    this.#supersede(this.#disposed);
    this.#tokens = undefined;
    clearTimeout(this.#scheduledRefresh);
    this.#events.clear();
    this.#crossTab?.close();
    this.#crossTab = undefined;
    this.#stopListeningForWakeUp();
  }

  // --- the refresh ---------------------------------------------------------------------------

  /** Starts the single refresh every caller shares. */
  #startRefresh(): Promise<string | null> {
    const generation = this.#generation;
    const restoring = this.#tokens === null && this.#mayRestore;
    const abort = new AbortController();
    let run!: () => void;
    const promise = new Promise<string | null>((resolve) => {
      run = () => resolve(this.#runRefresh(generation, abort.signal, restoring));
    }).finally(() => {
      if (this.#inFlight?.promise === promise) this.#inFlight = undefined;
    });
    // In flight and announced before `refresh` runs, so a listener (or `refresh` itself) that
    // asks for a token joins this refresh. Then `refresh` runs at once: when many operations
    // start together, its request goes out before theirs are built.
    this.#inFlight = { promise, abort };
    this.#setStatus('refreshing');
    this.#events.emit('refreshing');
    run();
    return promise;
  }

  /**
   * One refresh. With other tabs, it all happens holding the tabs' lock, storing the new tokens
   * (and telling the other tabs) included: a tab that gets the lock next must find them.
   */
  async #runRefresh(
    generation: number,
    signal: AbortSignal,
    restoring: boolean,
  ): Promise<string | null> {
    const crossTab = this.#crossTab;
    if (!crossTab) return this.#refreshAndSettle(generation, signal, restoring);
    try {
      return await crossTab.refreshExclusively(
        () => this.#refreshAndSettle(generation, signal, restoring),
        signal,
      );
    } catch (error) {
      // Overtaken while waiting for the lock.
      if (generation !== this.#generation) return this.#tokenAfterSuperseded(signal);
      throw error;
    }
  }

  /** Gets new tokens (or learns the session ended) and hands the outcome to every waiter. */
  async #refreshAndSettle(
    generation: number,
    signal: AbortSignal,
    restoring: boolean,
  ): Promise<string | null> {
    let outcome: RefreshOutcome;
    try {
      outcome = this.#crossTab
        ? await this.#refreshUnlessAnotherTabDid(generation, signal)
        : await callRefresh(this.#options, this.#tokens?.refreshToken, signal);
    } catch (error) {
      // Aborted, or the shared storage failed while checking for another tab's tokens.
      outcome = { kind: 'transient', error };
    }
    if (generation !== this.#generation) return this.#tokenAfterSuperseded(signal);
    switch (outcome.kind) {
      case 'fromAnotherTab':
        await this.#useTokens(outcome.tokens, 'storageAfterAnotherTab');
        return outcome.tokens.accessToken;
      case 'tokens':
        return this.#acceptRefreshed(outcome.tokens, signal);
      case 'sessionEnded':
        return this.#sessionEndedByRefresh(outcome.error, restoring);
      case 'transient': {
        const error = new RefreshFailedError(undefined, { cause: outcome.error });
        this.#events.emit('refreshFailed', error);
        this.#setStatusFromTokens();
        throw error;
      }
    }
  }

  /**
   * Holding the tabs' lock: another tab may have refreshed while this one waited for it, and
   * left fresh tokens in the shared storage. Otherwise refresh here.
   */
  async #refreshUnlessAnotherTabDid(
    generation: number,
    signal: AbortSignal,
  ): Promise<RefreshOutcome> {
    const stored = await this.#readStorage();
    // While `generation` is current, `#tokens` are still the tokens this refresh started from.
    if (
      generation === this.#generation &&
      stored &&
      stored.accessToken !== this.#tokens?.accessToken
    ) {
      const now = this.#options.now();
      const margin = this.#options.refreshBeforeExpiryMs;
      if (now < expiringFrom(expiryOf(stored, 'stored', now), margin, 'stored', now)) {
        return { kind: 'fromAnotherTab', tokens: stored };
      }
    }
    return callRefresh(this.#options, this.#tokens?.refreshToken, signal);
  }

  /**
   * Takes the tokens `refresh` returned. A field left out keeps its current value (OAuth 2.0
   * lets a server keep the refresh token); tokens of another user end the session.
   */
  async #acceptRefreshed(returned: TokenSet, signal: AbortSignal): Promise<string | null> {
    const previous = this.#tokens;
    if (belongToDifferentUsers(previous, returned)) {
      const cause = new TokenRefreshError(
        'SUBJECT_CHANGED',
        'refresh() returned a token of another user',
      );
      return this.#endSessionAfterRefresh(new SessionExpiredError(undefined, { cause }));
    }
    const refreshToken = returned.refreshToken ?? previous?.refreshToken;
    const tokens: TokenSet = {
      accessToken: returned.accessToken,
      ...(refreshToken !== undefined && { refreshToken }),
      ...(returned.expiresAt !== undefined && { expiresAt: returned.expiresAt }),
    };
    // A failed save leaves the new tokens in memory, which is what the waiters need.
    await this.#useTokens(tokens, 'refresh').catch(report);
    // Newer tokens or a logout may have come while storage saved these.
    return this.#tokenAfterSuperseded(signal);
  }

  /**
   * The refresh token was rejected. With `restoreSession` and no tokens that only means nobody is
   * signed in: `null`, and no `logout` (there was no session).
   */
  async #sessionEndedByRefresh(cause: unknown, restoring: boolean): Promise<null> {
    this.#mayRestore = false;
    if (restoring) {
      this.#setStatusFromTokens();
      return null;
    }
    return this.#endSessionAfterRefresh(new SessionExpiredError(undefined, { cause }));
  }

  /** A refresh ended the session: `refreshFailed`, then the end of it, then every waiter fails. */
  async #endSessionAfterRefresh(error: SessionExpiredError): Promise<never> {
    this.#events.emit('refreshFailed', error);
    await this.#endSession(error, false).catch(noop);
    throw error;
  }

  /**
   * What the waiters of a refresh get once newer tokens, a logout or `dispose` overtook it: what
   * `getAccessToken()` gives now. Newer tokens that are already expiring are refreshed first
   * (joining or starting a refresh), never handed out.
   */
  #tokenAfterSuperseded(signal: AbortSignal): string | Promise<string | null> {
    const tokens = this.#tokens;
    if (!tokens) throw signal.reason ?? new SessionExpiredError();
    if (this.#options.now() < this.#expiringFrom) return tokens.accessToken;
    return this.#inFlight?.promise ?? this.#startRefresh();
  }

  /** Aborts the refresh in flight and marks its result stale. */
  #supersede(reason?: unknown): void {
    this.#generation++;
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    inFlight?.abort.abort(reason);
  }

  /**
   * A background refresh when the token starts expiring. A timer that fires late (sleep, frozen
   * tab) changes nothing: every `getAccessToken` compares the expiry with `now()` anyway.
   */
  #scheduleRefresh(): void {
    clearTimeout(this.#scheduledRefresh);
    if (!this.#options.scheduleRefresh) return;
    const delay = this.#expiringFrom - this.#options.now();
    // Not for tokens that are already expiring: re-arming on each refresh would loop.
    if (delay > 0 && delay < Infinity) {
      this.#scheduledRefresh = later(() => this.#refreshIfExpiring(), delay, true);
    }
  }

  /** Refreshes now when the token is expiring; otherwise waits for the right moment. */
  #refreshIfExpiring(): void {
    if (!this.#tokens) return;
    if (this.peekAccessToken() === undefined) this.getAccessToken().catch(noop);
    else this.#scheduleRefresh();
  }

  // --- tokens, status and storage ------------------------------------------------------------

  async #useTokens(tokens: TokenSet, source: TokenSource): Promise<void> {
    const { arrival, emit, announce, save } = HANDLING[source];
    const now = this.#options.now();
    const expiry = expiryOf(tokens, arrival, now);
    // The expiry as judged on arrival travels with the tokens (storage, other tabs, `tokens`).
    const judged =
      expiry === Infinity || expiry === tokens.expiresAt
        ? tokens
        : { ...tokens, expiresAt: expiry };
    this.#generation++;
    this.#tokens = judged;
    this.#expiry = expiry;
    this.#expiringFrom = expiringFrom(expiry, this.#options.refreshBeforeExpiryMs, arrival, now);
    this.#scheduleRefresh();
    if (emit) this.#events.emit('tokens', judged);
    this.#setStatus('authenticated');
    if (announce) this.#crossTab?.announceTokens(judged);
    if (save) await this.#callStorage('save', judged);
  }

  async #endSession(reason: unknown, fromAnotherTab: boolean): Promise<void> {
    const hadSession = this.#tokens !== null;
    this.#supersede(new SessionExpiredError(undefined, { cause: reason }));
    this.#tokens = null;
    this.#expiry = this.#expiringFrom = Infinity;
    this.#mayRestore = false;
    clearTimeout(this.#scheduledRefresh);
    this.#setStatus('unauthenticated');
    if (!fromAnotherTab) this.#crossTab?.announceLogout();
    try {
      await this.#callStorage('clear');
    } finally {
      if (hadSession) this.#events.emit('logout', reason);
    }
  }

  #setStatus(status: TokenStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#events.emit('status', status);
  }

  /** Back from `refreshing`: the status the tokens say. */
  #setStatusFromTokens(): void {
    this.#setStatus(this.#tokens ? 'authenticated' : 'unauthenticated');
  }

  #load(): Promise<void> {
    if (this.#disposed) return Promise.reject(this.#disposed);
    this.#loading ??= this.#readStorage().then(
      (stored) => {
        // setTokens or another tab may have been quicker than storage.
        if (this.#tokens !== undefined || this.#disposed) return;
        if (stored) return this.#useTokens(stored, 'storage');
        this.#tokens = null;
      },
      (error: unknown) => {
        this.#loading = undefined; // let the next call try again
        throw error;
      },
    );
    return this.#loading;
  }

  async #readStorage(): Promise<TokenSet | null> {
    const stored = await this.#callStorage('load');
    if (stored != null && !isTokenSet(stored)) throw notATokenSet('TokenStorage.load()');
    return stored ?? null;
  }

  /** Calls the storage; its failures become `STORAGE_FAILED` errors. */
  async #callStorage(operation: 'load'): Promise<unknown>;
  async #callStorage(operation: 'save', tokens: TokenSet): Promise<void>;
  async #callStorage(operation: 'clear'): Promise<void>;
  async #callStorage(operation: 'load' | 'save' | 'clear', tokens?: TokenSet): Promise<unknown> {
    const { storage } = this.#options;
    try {
      if (operation === 'save') return await storage.save(tokens as TokenSet);
      return await storage[operation]();
    } catch (cause) {
      throw new TokenRefreshError('STORAGE_FAILED', `TokenStorage.${operation}() failed`, {
        cause,
      });
    }
  }

  // --- other tabs, servers, teardown ---------------------------------------------------------

  #openCrossTab(): CrossTab | undefined {
    const { crossTabName, timeoutMs } = this.#options;
    if (crossTabName === undefined) return undefined;
    // A lock holder that takes longer than one refresh may take is frozen or gone.
    return CrossTab.open(crossTabName, timeoutMs, {
      onTokens: (tokens) => {
        this.#supersede();
        this.#useTokens(tokens, 'anotherTab').catch(noop);
      },
      onLogout: () => {
        this.#endSession('crossTab', true).catch(noop);
      },
      onRefreshing: (released) => {
        if (this.#inFlight) return;
        this.#setStatus('refreshing');
        released().then(() => {
          if (!this.#inFlight) this.#setStatusFromTokens();
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
    if (belongToDifferentUsers(this.#tokens, tokens)) {
      this.#warnedSharedOnServer = true;
      console.warn(
        'apollo-token-refresh: one TokenManager got tokens of two users on a server. Create one per request (docs/security.md, "Server-side rendering").',
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
