import { check, checkFn, isFn } from '../internal/check.js';
import { openTab, type TabMessage } from './crossTab.js';
import { RefreshFailedError, SessionExpiredError, TokenRefreshError } from './errors.js';
import { memoryStorage } from './storage.js';
import { abortable, later } from './timers.js';
import { claimsOf, expiryOf, isTokenSet } from './tokenSet.js';
import type { TokenManagerEvents, TokenManagerOptions, TokenSet, TokenStatus } from './types.js';

type Listener = (value?: unknown) => void;

const noop = () => {};

const defaultIsSessionEnded = (error: unknown): boolean => {
  const e = error as { status?: number; statusCode?: number } | null;
  // HTTP statuses of a refresh endpoint that mean "this refresh token is no good".
  return SessionExpiredError.is(error) || [400, 401, 403].includes(e?.status ?? e?.statusCode ?? 0);
};

const invalid = (message: string) => new TokenRefreshError('INVALID_TOKEN_SET', message);

/**
 * Keeps one session's tokens fresh: loads them lazily from `storage`, refreshes them before they
 * expire (or on demand), one refresh at a time, and tells listeners what happened.
 *
 * One instance per user session. Never share one between server-side requests.
 *
 * The state lives in the constructor's closure and the methods are own properties: local
 * variables minify to one letter where `this.#field` would not (size budget). Methods are
 * arrow functions, so they can be passed around unbound (`const { getAccessToken } = manager`).
 */
export class TokenManager {
  #status: TokenStatus = 'unauthenticated';

  /** `authenticated`, `refreshing` (a refresh runs here or in another tab) or `unauthenticated`. */
  get status(): TokenStatus {
    return this.#status;
  }

  /**
   * When the current access token expires, in epoch milliseconds on this device's clock;
   * `null` without tokens or for an opaque token.
   */
  get expiresAt(): number | null {
    return this.#expiresAt();
  }
  #expiresAt: () => number | null = () => null;

  /**
   * A valid access token: the current one, or a fresh one when it is expiring (joining the
   * refresh in flight, if any). `null` when there are no tokens; that never calls `refresh`.
   * Rejects with `SessionExpiredError`, `RefreshFailedError`, or a `TokenRefreshError` coded
   * `STORAGE_FAILED` or `INVALID_TOKEN_SET` (stored value); never with a token in the message.
   */
  declare readonly getAccessToken: () => Promise<string | null>;

  /**
   * What `getAccessToken()` would resolve with when that needs no waiting (tokens loaded, not
   * expiring, no refresh running); `undefined` otherwise. Lets the links skip a promise hop on
   * the hot path of every operation.
   * @internal
   */
  declare readonly peekAccessToken: () => string | null | undefined;

  /**
   * Refreshes now (or joins the refresh in flight) and resolves with the new access token.
   * With `failedToken` (the token a request was rejected with): when it is no longer the current
   * token, someone already refreshed, so this resolves with the current one without a call.
   * Without tokens it calls `refresh` with `refreshToken: undefined` (cookie-based flows).
   */
  declare readonly refresh: (options?: { failedToken?: string }) => Promise<string>;

  /**
   * Stores tokens after a sign-in. Wins over a refresh in flight: that refresh is aborted, its
   * result is never stored, and its waiters get what `getAccessToken()` gives now (these
   * tokens' access token, or a new refresh's when these are already expiring).
   * Rejects with a `TokenRefreshError` coded `INVALID_TOKEN_SET` when `tokens` is not a
   * `TokenSet`, or `STORAGE_FAILED` when saving fails (the tokens are still used in memory).
   */
  declare readonly setTokens: (tokens: TokenSet) => Promise<void>;

  /**
   * Ends the session: aborts a refresh in flight (its waiters reject with `SessionExpiredError`),
   * forgets the tokens, clears storage, tells other tabs, then emits `logout` with `reason`.
   * `logout` is emitted once per session: calling this again without new tokens emits nothing.
   */
  declare readonly logout: (reason?: unknown) => Promise<void>;

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
   * - `setTokens` / tokens from another tab: `tokens`, `status('authenticated')`
   * - `logout()` / logout in another tab: `status('unauthenticated')`, `logout`
   *
   * `status` fires only on change. Loading tokens from storage emits `status` but not `tokens`.
   */
  declare readonly on: <E extends keyof TokenManagerEvents>(
    event: E,
    listener: TokenManagerEvents[E],
  ) => () => void;

  /**
   * Stops timers, aborts a refresh in flight, closes the cross-tab channel and drops listeners.
   * Afterwards every method (and every waiter of the aborted refresh) rejects with a
   * `TokenRefreshError` whose code is `DISPOSED`. Storage is left as it is.
   */
  declare readonly dispose: () => void;

  /** @throws {TokenRefreshError} `INVALID_OPTION` when an option is missing or invalid; the message names it. */
  constructor(options: TokenManagerOptions) {
    const {
      refresh,
      storage = memoryStorage(),
      refreshBeforeExpiryMs: before = 30_000,
      refreshTimeoutMs: timeout = 10_000,
      retry = {},
      isSessionEnded = defaultIsSessionEnded,
      scheduleRefresh = false,
      crossTab = false,
      now = () => Date.now(),
    } = options ?? ({} as TokenManagerOptions);
    check(retry && typeof retry === 'object', 'retry', 'an object', retry);
    const { attempts = 2, delayMs = (n: number) => Math.min(250 * 2 ** (n - 1), 5_000) } = retry;
    checkFn(refresh, 'refresh');
    check(
      isFn(storage?.load) && isFn(storage.save) && isFn(storage.clear),
      'storage',
      'a TokenStorage',
      storage,
    );
    check(Number.isFinite(before) && before >= 0, 'refreshBeforeExpiryMs', 'a number >= 0', before);
    check(Number.isFinite(timeout) && timeout > 0, 'refreshTimeoutMs', 'a number > 0', timeout);
    check(Number.isInteger(attempts) && attempts > 0, 'retry.attempts', 'an integer > 0', attempts);
    checkFn(delayMs, 'retry.delayMs');
    checkFn(isSessionEnded, 'isSessionEnded');
    check(typeof scheduleRefresh === 'boolean', 'scheduleRefresh', 'a boolean', scheduleRefresh);
    check(
      typeof crossTab === 'boolean' || (typeof crossTab?.name === 'string' && crossTab.name),
      'crossTab',
      'a boolean or { name }',
      crossTab,
    );
    checkFn(now, 'now');

    /** Current tokens; `undefined` until loaded from storage, and after `dispose`. */
    let t: TokenSet | null | undefined;
    /**
     * When `t` starts counting as expiring (epoch ms), cached per token so the hot path never
     * decodes a JWT. `Infinity` for opaque tokens.
     */
    let at = Infinity;
    /**
     * Bumped whenever `t` is replaced. A refresh that started under an older generation never
     * stores its result: newer tokens (setTokens, another tab) or a logout win.
     */
    let gen = 0;
    let loading: Promise<void> | undefined;
    /** The in-flight refresh every caller joins. */
    let pending: Promise<string> | undefined;
    /** Aborts the in-flight refresh (logout, setTokens, another tab's tokens, dispose). */
    let abort: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dead: TokenRefreshError | undefined;
    /** The shared-on-a-server warning was printed (once per manager). */
    let warned = false;
    /** `[event, listener]` pairs: one set for all events (there are few listeners). */
    const listeners = new Set<[keyof TokenManagerEvents, Listener]>();

    const emit = (event: keyof TokenManagerEvents, value?: unknown) => {
      for (const [e, f] of listeners) {
        try {
          if (e === event) f(value);
        } catch (error) {
          (globalThis as { reportError?: (e: unknown) => void }).reportError?.(error);
        }
      }
    };

    const st = (status: TokenStatus) => {
      if (status !== this.#status) {
        this.#status = status;
        emit('status', status);
      }
    };
    /** Back from `refreshing`: the status the tokens say. */
    const idle = () => st(t ? 'authenticated' : 'unauthenticated');

    const alive = () => {
      if (dead) throw dead;
    };

    /** Calls the storage; its failures become `STORAGE_FAILED` errors. */
    const io = async (op: 'load' | 'save' | 'clear', tokens?: TokenSet): Promise<unknown> => {
      try {
        return await (tokens ? storage.save(tokens) : storage[op as 'load' | 'clear']());
      } catch (cause) {
        throw new TokenRefreshError('STORAGE_FAILED', `TokenStorage.${op}() failed`, { cause });
      }
    };

    const read = async (): Promise<TokenSet | null> => {
      const stored = await io('load');
      if (stored != null && !isTokenSet(stored))
        throw invalid('TokenStorage.load(): not a TokenSet');
      return (stored as TokenSet | null | undefined) ?? null;
    };

    const load = (): Promise<void> => {
      if (dead) return Promise.reject(dead);
      loading ??= read().then(
        (stored) => {
          // setTokens or another tab may have been quicker than storage.
          if (t !== undefined || dead) return;
          if (stored) set(stored, 3);
          else t = null;
        },
        (e: unknown) => {
          loading = undefined; // let the next call try again
          throw e;
        },
      );
      return loading;
    };

    /** Aborts the refresh in flight and marks its result stale. */
    const cut = (reason?: unknown) => {
      gen++;
      pending = undefined;
      abort?.abort(reason);
    };

    /**
     * Background refresh when the token starts expiring. A timer that fires late (sleep, frozen
     * tab) changes nothing: every `getAccessToken` compares expiry with `now()` anyway.
     */
    const arm = () => {
      clearTimeout(timer);
      const delay = at - now();
      // Not for tokens that are already expiring: re-arming on each refresh would loop.
      if (scheduleRefresh && delay > 0 && delay < Infinity) {
        timer = later(() => (now() < at ? arm() : getAccessToken().catch(noop)), delay, true);
      }
    };

    /**
     * Applies new tokens. mode 0: new (save, tell other tabs); 1: from another tab (save);
     * 2: found in storage; 3: loaded (no `tokens` event). `fresh`: a refresh just issued them.
     */
    const set = async (tokens: TokenSet, mode: 0 | 1 | 2 | 3, fresh?: boolean): Promise<void> => {
      gen++;
      t = tokens;
      const exp = expiryOf(tokens);
      at = exp - before;
      // A token that lives less than the margin would count as expiring the moment it arrives,
      // and every operation would refresh again. One a refresh just issued is used for the
      // first half of its remaining life instead.
      if (fresh) at = Math.max(at, (now() + exp) / 2);
      arm();
      if (mode < 3) emit('tokens', tokens);
      st('authenticated');
      if (!mode) tab?.postMessage(tokens);
      if (mode < 2) await io('save', tokens);
    };

    const out = async (reason: unknown, fromOtherTab?: boolean): Promise<void> => {
      const had = t !== null;
      cut(new SessionExpiredError(undefined, { cause: reason }));
      t = null;
      clearTimeout(timer);
      st('unauthenticated');
      if (!fromOtherTab) tab?.postMessage('logout');
      try {
        await io('clear');
      } finally {
        if (had) emit('logout', reason);
      }
    };

    /**
     * The current access token after a refresh settled; the abort reason when there is none. A
     * superseded refresh hands its waiters what `getAccessToken()` gives now: newer tokens that
     * are already expiring are refreshed first (joining or starting a refresh), never handed out.
     */
    const token = (signal: AbortSignal, superseded?: boolean): string | Promise<string> => {
      if (!t) throw signal.reason ?? new SessionExpiredError();
      return superseded && now() >= at ? (pending ?? start()) : t.accessToken;
    };

    const go = async (g: number, signal: AbortSignal): Promise<string> => {
      // Set when isSessionEnded said so; anything else that escapes is transient.
      let fatal: SessionExpiredError | undefined;
      const body = async (): Promise<void> => {
        if (tab) {
          // We hold the tabs' lock: another tab may have refreshed while we waited for it.
          const stored = await read();
          // (While `g === gen`, `t` is still the token this refresh started from.)
          if (g === gen && stored && stored.accessToken !== t?.accessToken) {
            if (now() < expiryOf(stored) - before) return set(stored, 2);
          }
        }
        for (let n = 1; ; n++) {
          if (signal.aborted) throw signal.reason;
          // One call of `options.refresh`; its own signal aborts on timeout and with `signal`
          // (that listener is not removed: `signal` belongs to this one refresh and dies with it).
          const ctl = new AbortController();
          signal.addEventListener('abort', () => ctl.abort(signal.reason));
          const timer = later(
            // Not DOMException: some runtimes (React Native) lack it.
            () =>
              ctl.abort(Object.assign(new Error('Refresh timed out'), { name: 'TimeoutError' })),
            timeout,
          );
          let tokens: TokenSet | undefined;
          try {
            const got = await abortable(ctl.signal, () =>
              refresh({ refreshToken: t?.refreshToken, signal: ctl.signal }),
            );
            if (!isTokenSet(got)) throw invalid('refresh(): not a TokenSet');
            // Storing it would make every operation refresh again at once: a transient failure.
            if (now() >= expiryOf(got)) throw invalid('refresh(): returned an expired token');
            tokens = got;
          } catch (e) {
            if (signal.aborted) throw e;
            if (isSessionEnded(e)) {
              fatal = new SessionExpiredError(undefined, { cause: e });
              throw fatal;
            }
            if (n >= attempts) throw e;
          } finally {
            clearTimeout(timer);
          }
          if (tokens) {
            if (g === gen) await set(tokens, 0, true);
            return;
          }
          await abortable(signal, () => new Promise<void>((r) => later(r, delayMs(n))));
        }
      };
      try {
        const shared = tab;
        await (shared
          ? shared.lock(async () => {
              try {
                await shared.quiet();
                shared.postMessage('refreshing');
                return await body();
              } finally {
                shared.postMessage('settled');
              }
            }, signal)
          : body());
        return token(signal);
      } catch (e) {
        // Superseded by setTokens, another tab, logout or dispose (a failed save counts too:
        // the new tokens are in memory, which is what the waiters need).
        if (g !== gen) return token(signal, true);
        const error = fatal ?? new RefreshFailedError(undefined, { cause: e });
        emit('refreshFailed', error);
        if (fatal) await out(fatal).catch(noop);
        else idle();
        throw error;
      }
    };

    /** Starts the single refresh every caller shares. */
    const start = (): Promise<string> => {
      const g = gen;
      abort = new AbortController();
      const { signal } = abort;
      let run!: () => void;
      const p: Promise<string> = new Promise<string>((resolve) => {
        run = () => resolve(go(g, signal));
      }).finally(() => {
        if (pending === p) pending = undefined; // only if still the current one
      });
      // `pending` is set and the events are out before `refresh` runs, so a listener (or
      // `refresh` itself) that asks for a token joins this refresh. Then `refresh` runs at
      // once: when many operations start together, its request goes out before theirs are built.
      pending = p;
      st('refreshing');
      emit('refreshing');
      run();
      return p;
    };

    const peekAccessToken = () => {
      // A field read and a clock call: no JWT decoding, no await.
      if (!pending && (t === null || (t && now() < at))) return t ? t.accessToken : null;
    };

    const getAccessToken = (): Promise<string | null> => {
      const current = peekAccessToken();
      return current !== undefined
        ? Promise.resolve(current)
        : t === undefined
          ? load().then(getAccessToken)
          : (pending ?? start());
    };

    let tab = crossTab
      ? openTab(
          crossTab === true ? 'apollo-token-refresh' : crossTab.name,
          timeout,
          (m: TabMessage) => {
            if (m === 'logout') out('crossTab', true).catch(noop);
            else if (m === 'refreshing') {
              // Trust the lock, not a message: a tab closing mid-refresh releases it, so we cannot
              // get stuck in `refreshing` (a frozen holder is waited for at most refreshTimeoutMs).
              if (pending) return;
              st('refreshing');
              tab
                ?.lock(async () => {})
                .then(() => {
                  if (!pending) idle();
                });
            } else if (isTokenSet(m)) {
              cut();
              set(m, 1).catch(noop);
            }
          },
        )
      : undefined;

    this.#expiresAt = () => {
      const expiry = t ? expiryOf(t) : Infinity;
      return expiry === Infinity ? null : expiry;
    };

    Object.assign(this, {
      getAccessToken,
      peekAccessToken,
      async refresh(o?: { failedToken?: string }) {
        await load();
        const failed = o?.failedToken;
        return (
          pending ??
          (t && failed !== undefined && failed !== t.accessToken && now() < at
            ? t.accessToken
            : start())
        );
      },
      async setTokens(tokens: TokenSet) {
        alive();
        if (!isTokenSet(tokens)) throw invalid('setTokens(): not a TokenSet');
        const was = claimsOf(t).sub;
        const is = claimsOf(tokens).sub;
        // On a server a manager must live for one request: one that signs in two different
        // users is shared between requests, and would send one user's token for another.
        if (!warned && typeof document === 'undefined' && was && is && was !== is) {
          warned = true;
          console.warn(
            'apollo-token-refresh: one TokenManager got tokens of two users on a server. Create one per request (README: Server-side rendering).',
          );
        }
        cut();
        return set(tokens, 0);
      },
      async logout(reason?: unknown) {
        alive();
        // Whether a session exists decides whether `logout` is emitted; a failing load still clears.
        if (t === undefined) await load().catch(noop);
        return out(reason);
      },
      on(event: keyof TokenManagerEvents, listener: Listener) {
        const pair: [keyof TokenManagerEvents, Listener] = [event, listener];
        listeners.add(pair);
        return () => {
          listeners.delete(pair);
        };
      },
      dispose() {
        dead = new TokenRefreshError('DISPOSED', 'TokenManager is disposed');
        cut(dead);
        t = undefined;
        clearTimeout(timer);
        listeners.clear();
        tab?.close();
        tab = undefined;
      },
    });
  }
}

/** Lets users write `TokenManager.Options`, like Apollo's `XLink.Options`. */
export declare namespace TokenManager {
  type Options = TokenManagerOptions;
}
