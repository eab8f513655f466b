import type { CrossTab } from './cross-tab.js';
import type { Emitter } from './events.js';
import { expiringFrom, expiryOf, type TokenArrival } from './expiry.js';
import type { TokenStore } from './token-store.js';
import type { TokenSet, TokenStatus } from './types.js';

/**
 * Where new tokens come from, and so what the session does with them: how their expiry is
 * judged, whether the `tokens` event fires, whether other tabs are told, whether storage is
 * written.
 */
export type TokenSource =
  | 'refresh'
  | 'setTokens'
  | 'anotherTab'
  | 'storageAfterAnotherTab'
  | 'storage';

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

export interface SessionOptions {
  refreshBeforeExpiryMs: number;
  restoreSession: boolean;
  now: () => number;
}

/**
 * One session's state: its tokens, when they expire, and the status the manager reports. Tokens
 * change only through `use` and `end`, which tell the listeners, the other tabs and the storage.
 */
export class Session {
  readonly #options: SessionOptions;
  readonly #events: Emitter;
  readonly #store: TokenStore;
  /** Told when the moment the tokens start expiring changes (`Infinity`: never). */
  readonly #onExpiringFromChange: (expiringFrom: number) => void;
  /** The other tabs, once the manager opened the channel. */
  crossTab: CrossTab | undefined;

  /** `undefined` until loaded from storage (and after `close`); `null`: no session. */
  #tokens: TokenSet | null | undefined;
  /** When `#tokens` expire, on this device's clock (epoch ms); `Infinity` for an opaque token. */
  #expiry = Infinity;
  /** From when `#tokens` count as expiring, cached so that reading a token never decodes a JWT. */
  #expiringFrom = Infinity;
  /**
   * Bumped whenever `#tokens` is replaced or dropped. A refresh that started under an older
   * generation never stores its result: newer tokens (`setTokens`, another tab) or a logout win.
   */
  #generation = 0;
  #status: TokenStatus = 'unauthenticated';
  #loading: Promise<void> | undefined;
  /** `restoreSession`: true until a refresh found out whether a session exists, or one ended. */
  #mayRestore: boolean;
  #closed = false;

  constructor(
    options: SessionOptions,
    events: Emitter,
    store: TokenStore,
    onExpiringFromChange: (expiringFrom: number) => void,
  ) {
    this.#options = options;
    this.#events = events;
    this.#store = store;
    this.#onExpiringFromChange = onExpiringFromChange;
    this.#mayRestore = options.restoreSession;
  }

  get tokens(): TokenSet | null | undefined {
    return this.#tokens;
  }

  get generation(): number {
    return this.#generation;
  }

  get status(): TokenStatus {
    return this.#status;
  }

  get expiringFrom(): number {
    return this.#expiringFrom;
  }

  /** When the access token expires (epoch ms, this device's clock); `null` without one or for an opaque token. */
  get expiresAt(): number | null {
    return this.#tokens && this.#expiry !== Infinity ? this.#expiry : null;
  }

  /** A refresh now would be the `restoreSession` attempt of this page load. */
  get restoring(): boolean {
    return this.#tokens === null && this.#mayRestore;
  }

  /**
   * What the tokens alone allow without waiting: the access token while it is not expiring,
   * `null` when there is no session (and no restore is due), `undefined` when a caller must wait
   * (tokens not loaded, expiring, or a restore due).
   */
  usableToken(): string | null | undefined {
    const tokens = this.#tokens;
    if (tokens === null) return this.#mayRestore ? undefined : null;
    if (tokens && this.#options.now() < this.#expiringFrom) return tokens.accessToken;
    return undefined;
  }

  /** The tokens are loaded and not expiring. */
  isFresh(): boolean {
    return !!this.#tokens && this.#options.now() < this.#expiringFrom;
  }

  /**
   * Loads the tokens from storage once; a failed load is tried again by the next call. A
   * synchronous storage is read at once: the tokens are there when this returns.
   */
  load(): Promise<void> {
    if (this.#loading) return this.#loading;
    let stored: TokenSet | null | Promise<TokenSet | null>;
    try {
      stored = this.#store.read();
    } catch (error) {
      return Promise.reject(error);
    }
    if (!(stored instanceof Promise)) {
      this.#adoptStored(stored);
      this.#loading = Promise.resolve();
      return this.#loading;
    }
    this.#loading = stored.then(
      (value) => this.#adoptStored(value),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  #adoptStored(stored: TokenSet | null): void {
    // setTokens or another tab may have been quicker than storage.
    if (this.#tokens !== undefined || this.#closed) return;
    if (stored) this.adopt(stored, 'storage');
    else this.#tokens = null;
  }

  /**
   * Tokens another tab stored while this one waited for the tabs' lock: not the current ones,
   * and not expiring. `undefined` when there are none, or when this session changed since
   * `generation`.
   */
  async freshTokensFromAnotherTab(generation: number): Promise<TokenSet | undefined> {
    const stored = await this.#store.read();
    const unchanged = stored?.accessToken === this.#tokens?.accessToken;
    if (!stored || unchanged || generation !== this.#generation) return undefined;
    const now = this.#options.now();
    const expiry = expiryOf(stored, 'stored', now);
    const margin = this.#options.refreshBeforeExpiryMs;
    return now < expiringFrom(expiry, margin, 'stored', now) ? stored : undefined;
  }

  /** Takes new tokens: judges their expiry, then tells the listeners, other tabs and storage. */
  async use(tokens: TokenSet, source: TokenSource): Promise<void> {
    const judged = this.adopt(tokens, source);
    if (HANDLING[source].save) await this.#store.save(judged);
  }

  /**
   * Takes new tokens without saving them: judges their expiry, tells the listeners and the other
   * tabs, and returns them as judged.
   */
  adopt(tokens: TokenSet, source: TokenSource): TokenSet {
    const { arrival, emit, announce } = HANDLING[source];
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
    this.#onExpiringFromChange(this.#expiringFrom);
    if (emit) this.#events.emit('tokens', judged);
    this.setStatus('authenticated');
    if (announce) this.crossTab?.announceTokens(judged);
    return judged;
  }

  /**
   * Ends the session: forgets the tokens (no restore either until the next page load), tells
   * other tabs unless they told this one, clears storage, then emits `logout` if there was a
   * session.
   */
  async end(reason: unknown, fromAnotherTab: boolean): Promise<void> {
    const hadSession = this.#tokens !== null;
    this.#generation++;
    this.#tokens = null;
    this.#expiry = this.#expiringFrom = Infinity;
    this.#mayRestore = false;
    this.#onExpiringFromChange(Infinity);
    this.setStatus('unauthenticated');
    if (!fromAnotherTab) this.crossTab?.announceLogout();
    try {
      await this.#store.clear();
    } finally {
      if (hadSession) this.#events.emit('logout', reason);
    }
  }

  /** `restoreSession` found nobody signed in: no further restore on this page load. */
  restoreFoundNoSession(): void {
    this.#mayRestore = false;
  }

  /** `dispose`: the tokens are dropped from memory (storage keeps them) and never loaded again. */
  close(): void {
    this.#closed = true;
    this.#generation++;
    this.#tokens = undefined;
  }

  setStatus(status: TokenStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#events.emit('status', status);
  }

  /** Back from `refreshing`: the status the tokens say. */
  settleStatus(): void {
    this.setStatus(this.#tokens ? 'authenticated' : 'unauthenticated');
  }
}
