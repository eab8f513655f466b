import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage, webStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet, TokenStorage } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { flushMicrotasks } from '../support/flush.js';
import { MapStorage } from '../support/tokens.js';

/** In-memory Web Locks: exclusive FIFO locks per name, with `signal` to give up waiting. */
function fakeLocks() {
  const tails = new Map<string, Promise<void>>();
  let held = 0;
  let maxHeld = 0;
  return {
    get maxHeld() {
      return maxHeld;
    },
    request(name: string, options: { signal?: AbortSignal }, callback: () => unknown) {
      const previous = tails.get(name) ?? Promise.resolve();
      let release!: () => void;
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      tails.set(
        name,
        previous.then(() => done),
      );
      let state: 'waiting' | 'granted' | 'aborted' = 'waiting';
      return new Promise((resolve, reject) => {
        const signal = options.signal;
        signal?.addEventListener('abort', () => {
          if (state !== 'waiting') return;
          state = 'aborted';
          reject(signal.reason);
        });
        previous.then(async () => {
          if (state === 'aborted') return release();
          state = 'granted';
          held++;
          maxHeld = Math.max(maxHeld, held);
          try {
            resolve(await callback());
          } catch (error) {
            reject(error);
          } finally {
            held--;
            release();
          }
        });
      });
    },
  };
}

/** In-memory BroadcastChannel: delivers structured clones to the other instances of a name. */
class FakeChannel {
  static all = new Set<FakeChannel>();
  static muted = new Set<FakeChannel>();
  /** Delivery delay in ms (real browsers deliver in another task, possibly after a lock grant). */
  static delayMs = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly name: string) {
    FakeChannel.all.add(this);
  }
  postMessage(data: unknown) {
    const copy = structuredClone(data);
    for (const other of FakeChannel.all) {
      if (other === this || other.name !== this.name || FakeChannel.muted.has(other)) continue;
      const deliver = () => other.onmessage?.({ data: copy });
      if (FakeChannel.delayMs) setTimeout(deliver, FakeChannel.delayMs);
      else queueMicrotask(deliver);
    }
  }
  close() {
    FakeChannel.all.delete(this);
  }
}

let locks: ReturnType<typeof fakeLocks>;

beforeEach(() => {
  locks = fakeLocks();
  FakeChannel.all.clear();
  FakeChannel.muted.clear();
  FakeChannel.delayMs = 0;
  vi.stubGlobal('navigator', { locks });
  vi.stubGlobal('BroadcastChannel', FakeChannel);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const EXPIRED: TokenSet = { accessToken: 'expired', refreshToken: 'r1', expiresAt: 0 };

function tab(
  refresh: RefreshFunction,
  storage: TokenStorage,
  extra: Partial<TokenManager.Options> = {},
) {
  return new TokenManager({ refresh, storage, crossTab: true, ...extra });
}

describe('crossTab on polyfilled Web Locks + BroadcastChannel', () => {
  it('two tabs with an expired token and concurrent calls in both make one refresh in total', async () => {
    const shared = new MapStorage();
    webStorage(shared).save(EXPIRED);
    let calls = 0;
    const refresh: RefreshFunction = async () => ({
      accessToken: `fresh-${++calls}`,
      refreshToken: `r${calls + 1}`,
    });
    const tabA = tab(refresh, webStorage(shared));
    const tabB = tab(refresh, webStorage(shared));
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => tabA.getAccessToken()),
      ...Array.from({ length: 50 }, () => tabB.getAccessToken()),
    ]);
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['fresh-1']));
    expect(locks.maxHeld).toBe(1);
    tabA.dispose();
    tabB.dispose();
  });

  it("memory storages: a tab granted the lock before the other tab's tokens arrive waits for them", async () => {
    // The lock is released before the channel delivers: without waiting for the other tab's
    // `settled`, the second tab would refresh again (and reuse a single-use refresh token).
    FakeChannel.delayMs = 20;
    const first = deferred<TokenSet>();
    const refresh = vi
      .fn<RefreshFunction>()
      .mockImplementationOnce(() => first.promise)
      .mockResolvedValue({ accessToken: 'second', refreshToken: 'r3' });
    const tabA = tab(refresh, memoryStorage({ ...EXPIRED }));
    const tabB = tab(refresh, memoryStorage({ ...EXPIRED }));
    const fromA = tabA.getAccessToken();
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(tabB.status).toBe('refreshing')); // tab B heard tab A's `refreshing`
    const fromB = tabB.getAccessToken(); // tab B queues for the lock behind tab A
    first.resolve({ accessToken: 'first', refreshToken: 'r2' });
    expect(await fromA).toBe('first');
    expect(await fromB).toBe('first');
    expect(refresh).toHaveBeenCalledTimes(1);
    tabA.dispose();
    tabB.dispose();
  });

  it('with separate storages, tokens propagate over the channel and are saved in each tab', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({
      accessToken: 'fresh',
      refreshToken: 'r2',
    }));
    const storageB = memoryStorage({ ...EXPIRED });
    const tabA = tab(refresh, memoryStorage({ ...EXPIRED }));
    const tabB = tab(refresh, storageB);
    const bTokens = vi.fn();
    tabB.on('tokens', bTokens);
    await tabB.getAccessToken().catch(() => {}); // load tab B first, so it is listening with its tokens
    expect(refresh).toHaveBeenCalledTimes(1);
    refresh.mockClear();
    bTokens.mockClear();
    await tabA.setTokens({ accessToken: 'signed-in', refreshToken: 'rs' });
    await flushMicrotasks();
    expect(bTokens).toHaveBeenCalledWith({ accessToken: 'signed-in', refreshToken: 'rs' });
    expect(await storageB.load()).toEqual({ accessToken: 'signed-in', refreshToken: 'rs' });
    expect(await tabB.getAccessToken()).toBe('signed-in');
    expect(refresh).not.toHaveBeenCalled();
    tabA.dispose();
    tabB.dispose();
  });

  it('inside the lock a tab re-reads storage and adopts what another tab refreshed', async () => {
    const shared = new MapStorage();
    webStorage(shared).save(EXPIRED);
    const gate = deferred<TokenSet>();
    const refreshA = vi.fn<RefreshFunction>(() => gate.promise);
    const refreshB = vi.fn<RefreshFunction>(async () => ({ accessToken: 'from-b' }));
    const tabA = tab(refreshA, webStorage(shared));
    const tabB = tab(refreshB, webStorage(shared));
    // Tab B misses tab A's broadcast (a frozen or throttled tab): only storage can tell it.
    const bChannel = [...FakeChannel.all][1];
    if (bChannel) FakeChannel.muted.add(bChannel);
    const fromA = tabA.getAccessToken();
    await flushMicrotasks();
    expect(refreshA).toHaveBeenCalledTimes(1); // tab A holds the lock
    const fromB = tabB.getAccessToken(); // tab B waits for the lock
    await flushMicrotasks();
    gate.resolve({ accessToken: 'from-a', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 });
    expect(await fromA).toBe('from-a');
    expect(await fromB).toBe('from-a');
    expect(refreshB).not.toHaveBeenCalled();
    expect(tabB.status).toBe('authenticated');
    tabA.dispose();
    tabB.dispose();
  });

  it('logout propagates to the other tab without echo', async () => {
    const tabA = tab(vi.fn<RefreshFunction>(), memoryStorage({ accessToken: 'a' }));
    const storageB = memoryStorage({ accessToken: 'a' });
    const tabB = tab(vi.fn<RefreshFunction>(), storageB);
    await Promise.all([tabA.getAccessToken(), tabB.getAccessToken()]);
    const aLogout = vi.fn();
    const bLogout = vi.fn();
    tabA.on('logout', aLogout);
    tabB.on('logout', bLogout);
    await tabA.logout('bye');
    await flushMicrotasks();
    expect(aLogout).toHaveBeenCalledTimes(1);
    expect(bLogout).toHaveBeenCalledTimes(1);
    expect(bLogout).toHaveBeenCalledWith('crossTab');
    expect(tabB.status).toBe('unauthenticated');
    expect(await tabB.getAccessToken()).toBeNull();
    expect(await storageB.load()).toBeNull();
    tabA.dispose();
    tabB.dispose();
  });

  it('shows `refreshing` while another tab refreshes, and recovers when that tab goes away', async () => {
    const gate = deferred<TokenSet>();
    const tabA = tab(() => gate.promise, memoryStorage({ ...EXPIRED }));
    const tabB = tab(
      vi.fn<RefreshFunction>(),
      memoryStorage({ accessToken: 'b', expiresAt: 9e15 }),
    );
    await tabB.getAccessToken();
    const statuses: string[] = [];
    tabB.on('status', (status) => statuses.push(status));
    const fromA = tabA.getAccessToken().catch((error: unknown) => error);
    await flushMicrotasks();
    expect(tabB.status).toBe('refreshing');
    tabA.dispose(); // tab closed mid-refresh: its lock is released, no message is sent
    await fromA;
    await flushMicrotasks();
    expect(tabB.status).toBe('authenticated');
    expect(statuses).toEqual(['refreshing', 'authenticated']);
    tabB.dispose();
  });

  it('an orphaned lock delays a refresh by at most refreshTimeoutMs, then it runs without it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    locks.request('apollo-token-refresh', {}, () => new Promise(() => {})); // frozen holder
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'fresh' }));
    const tabA = tab(refresh, memoryStorage({ ...EXPIRED }), { refreshTimeoutMs: 2_000 });
    const token = tabA.getAccessToken();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await token).toBe('fresh');
    expect(refresh).toHaveBeenCalledTimes(1);
    tabA.dispose();
  });

  it('a custom channel name isolates apps; missing APIs fall back to single-tab', async () => {
    const one = tab(vi.fn<RefreshFunction>(), memoryStorage(), { crossTab: { name: 'app-1' } });
    const two = tab(vi.fn<RefreshFunction>(), memoryStorage(), { crossTab: { name: 'app-2' } });
    await one.setTokens({ accessToken: 'x' });
    await flushMicrotasks();
    expect(await two.getAccessToken()).toBeNull();
    vi.unstubAllGlobals();
    vi.stubGlobal('navigator', {}); // no navigator.locks
    const solo = tab(async () => ({ accessToken: 'solo' }), memoryStorage({ ...EXPIRED }));
    expect(await solo.getAccessToken()).toBe('solo');
    one.dispose();
    two.dispose();
    solo.dispose();
  });
});
