import { onAbort } from '../shared/abort.js';
import { later } from '../shared/timers.js';
import { isTokenSet } from './token-set.js';
import type { TokenSet } from './types.js';

/**
 * What tabs tell each other over the `BroadcastChannel`: new tokens, a logout, that a refresh
 * holds the lock (`refreshing`), or that it ended (`settled`, posted while still holding the
 * lock, after its tokens if it got any).
 */
type TabMessage = TokenSet | 'logout' | 'refreshing' | 'settled';

/** What the manager does when another tab speaks. */
export interface CrossTabHandlers {
  /** Another tab stored new tokens (a refresh or a sign-in). */
  onTokens(tokens: TokenSet): void;
  /** Another tab logged out. */
  onLogout(): void;
  /** Another tab started a refresh; `released()` resolves once its lock is released. */
  onRefreshing(released: () => Promise<void>): void;
}

/** How long to wait for a `settled` that may never come (its tab was closed mid-refresh). */
const SETTLED_WAIT_MS = 1_000;

/**
 * Tabs of one origin share one refresh and its tokens: a Web Lock makes one tab refresh at a
 * time, a BroadcastChannel tells the others what happened.
 */
export class CrossTab {
  readonly #name: string;
  readonly #channel: BroadcastChannel;
  readonly #locks: LockManager;
  /** How long to wait for the lock before refreshing without it. */
  readonly #lockWaitMs: number;
  /** Another tab announced a refresh that has not settled yet. */
  #otherTabRefreshing = false;
  readonly #onSettled = new Set<() => void>();

  /**
   * Opens the channel, or returns `undefined` where Web Locks or BroadcastChannel are missing
   * (Node, SSR, old browsers): the manager then works single-tab without a word.
   */
  static open(name: string, lockWaitMs: number, handlers: CrossTabHandlers): CrossTab | undefined {
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    if (!locks || typeof BroadcastChannel !== 'function') return undefined;
    return new CrossTab(name, locks, lockWaitMs, handlers);
  }

  private constructor(
    name: string,
    locks: LockManager,
    lockWaitMs: number,
    handlers: CrossTabHandlers,
  ) {
    this.#name = name;
    this.#locks = locks;
    this.#lockWaitMs = lockWaitMs;
    this.#channel = new BroadcastChannel(name);
    // Node's BroadcastChannel would otherwise keep the process alive.
    (this.#channel as { unref?: () => void }).unref?.();
    this.#channel.onmessage = ({ data }: MessageEvent<TabMessage>) => {
      if (data === 'refreshing' || data === 'settled') {
        this.#otherTabRefreshing = data === 'refreshing';
        if (data === 'settled') for (const settle of this.#onSettled) settle();
        // Trust the lock, not a message: a tab closed mid-refresh releases it, so nobody can
        // stay `refreshing` for good (a frozen holder is waited for at most `lockWaitMs`).
        if (data === 'refreshing') handlers.onRefreshing(() => this.#withLock(async () => {}));
      } else if (data === 'logout') {
        handlers.onLogout();
      } else if (isTokenSet(data)) {
        handlers.onTokens(data);
      }
    };
  }

  /**
   * Runs one refresh as the only tab refreshing: takes the tabs' lock, waits until the previous
   * holder's tokens have arrived (the lock is granted independently of the channel, so they can
   * still be on their way), announces the refresh, runs `refresh`, announces that it settled.
   * `refresh` should first check whether the previous holder already left fresh tokens.
   */
  refreshExclusively<T>(refresh: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.#withLock(async () => {
      try {
        await this.#previousRefreshSettled();
        this.#post('refreshing');
        return await refresh();
      } finally {
        this.#post('settled');
      }
    }, signal);
  }

  /** Tells the other tabs about new tokens (they store them and drop their own refresh). */
  announceTokens(tokens: TokenSet): void {
    this.#post(tokens);
  }

  /** Tells the other tabs the session ended. */
  announceLogout(): void {
    this.#post('logout');
  }

  close(): void {
    this.#channel.close();
    this.#onSettled.clear();
  }

  #post(message: TabMessage): void {
    this.#channel.postMessage(message);
  }

  /**
   * Runs `task` holding the tabs' lock. Waiting for it gives up after `lockWaitMs` and runs `task`
   * without it (liveness over exclusivity: an orphaned or frozen holder must not hang every tab),
   * or rejects when `signal` aborts first.
   */
  #withLock<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const stopWaiting = new AbortController();
    let held = false;
    const timer = later(() => stopWaiting.abort(), this.#lockWaitMs);
    const stopForwardingAbort = signal
      ? onAbort(signal, (reason) => stopWaiting.abort(reason))
      : () => {};
    const granted = this.#locks.request(this.#name, { signal: stopWaiting.signal }, () => {
      held = true;
      clearTimeout(timer);
      return task();
    }) as Promise<T>;
    return granted
      .catch((error: unknown) => {
        // Failing inside the lock, or cancelled by the caller: pass on. A lock that timed out
        // or is unavailable (opaque origin): run without it.
        if (held || signal?.aborted) throw error;
        return task();
      })
      .finally(() => {
        clearTimeout(timer);
        stopForwardingAbort();
      });
  }

  /** Resolves once no other tab's refresh is announced and unsettled (bounded). */
  #previousRefreshSettled(): Promise<void> {
    if (!this.#otherTabRefreshing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const settle = () => {
        this.#onSettled.delete(settle);
        clearTimeout(timer);
        resolve();
      };
      const timer = later(settle, SETTLED_WAIT_MS);
      this.#onSettled.add(settle);
    });
  }
}
