import { later } from './timers.js';
import type { TokenSet } from './types.js';

/**
 * What tabs tell each other over the `BroadcastChannel`: new tokens, a logout, that a refresh
 * holds the lock (`refreshing`: show that status until the lock is released), or that it ended
 * (`settled`, posted while still holding the lock, after its `tokens` if it got any).
 */
export type TabMessage = TokenSet | 'logout' | 'refreshing' | 'settled';

/** The tabs' channel (`postMessage(TabMessage)`, `close()`) plus the tab-shared lock. */
export interface Tab extends BroadcastChannel {
  /**
   * Runs `f` holding the tab-shared lock. Waiting for the lock gives up after the timeout and runs
   * `f` without it (see README: liveness over exclusivity), or rejects when `signal` aborts first.
   */
  lock<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * Resolves once no other tab's refresh is announced and unsettled (bounded). A tab that gets the
   * lock after another tab's refresh must first see that refresh's `tokens`: the lock is granted
   * independently of the channel, so the message can still be on its way.
   */
  quiet(): Promise<void>;
}

/** How long `quiet()` waits for a `settled` that may never come (its tab was closed). */
const QUIET_MS = 1_000;

/**
 * Opens the cross-tab channel, or returns `undefined` where Web Locks or BroadcastChannel are
 * missing (Node, SSR, old browsers): the manager then works single-tab without a word.
 */
export function openTab(
  name: string,
  waitMs: number,
  onMessage: (message: TabMessage) => void,
): Tab | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks || typeof BroadcastChannel !== 'function') return;
  const tab = new BroadcastChannel(name) as Tab;
  // Node's BroadcastChannel would otherwise keep the process alive.
  (tab as { unref?: () => void }).unref?.();
  let busy = false;
  const idle = new Set<() => void>();
  tab.onmessage = (e: MessageEvent<TabMessage>) => {
    if (e.data === 'refreshing' || e.data === 'settled') {
      busy = e.data === 'refreshing';
      for (const f of busy ? [] : idle) f();
    }
    onMessage(e.data);
  };
  tab.quiet = () =>
    new Promise<void>((resolve) => {
      if (!busy) return resolve();
      const done = () => {
        idle.delete(done);
        clearTimeout(t);
        resolve();
      };
      const t = later(done, QUIET_MS);
      idle.add(done);
    });
  tab.lock = <T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    const wait = new AbortController();
    let held = false;
    // An orphaned or frozen holder must not hang us: stop waiting after `waitMs`.
    const t = later(() => wait.abort(), waitMs);
    signal?.addEventListener('abort', () => wait.abort(signal.reason));
    return (
      locks.request(name, { signal: wait.signal }, () => {
        held = true;
        clearTimeout(t);
        return f();
      }) as Promise<T>
    ).catch((e: unknown) => {
      clearTimeout(t);
      // Failing inside the lock, or cancelled by the caller: pass on. A lock that timed out
      // or is unavailable (opaque origin): run without it.
      if (held || signal?.aborted) throw e;
      return f();
    });
  };
  return tab;
}
