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
      const done = new Promise<void>((r) => {
        release = r;
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
          } catch (e) {
            reject(e);
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
  onmessage: ((e: { data: unknown }) => void) | null = null;
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
    const a = tab(refresh, webStorage(shared));
    const b = tab(refresh, webStorage(shared));
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => a.getAccessToken()),
      ...Array.from({ length: 50 }, () => b.getAccessToken()),
    ]);
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['fresh-1']));
    expect(locks.maxHeld).toBe(1);
    a.dispose();
    b.dispose();
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
    const a = tab(refresh, memoryStorage({ ...EXPIRED }));
    const b = tab(refresh, memoryStorage({ ...EXPIRED }));
    const fromA = a.getAccessToken();
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(b.status).toBe('refreshing')); // b heard a's `refreshing`
    const fromB = b.getAccessToken(); // b queues for the lock behind a
    first.resolve({ accessToken: 'first', refreshToken: 'r2' });
    expect(await fromA).toBe('first');
    expect(await fromB).toBe('first');
    expect(refresh).toHaveBeenCalledTimes(1);
    a.dispose();
    b.dispose();
  });

  it('with separate storages, tokens propagate over the channel and are saved in each tab', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({
      accessToken: 'fresh',
      refreshToken: 'r2',
    }));
    const storageB = memoryStorage({ ...EXPIRED });
    const a = tab(refresh, memoryStorage({ ...EXPIRED }));
    const b = tab(refresh, storageB);
    const bTokens = vi.fn();
    b.on('tokens', bTokens);
    await b.getAccessToken().catch(() => {}); // load b first, so it is listening with its tokens
    expect(refresh).toHaveBeenCalledTimes(1);
    refresh.mockClear();
    bTokens.mockClear();
    await a.setTokens({ accessToken: 'signed-in', refreshToken: 'rs' });
    await flushMicrotasks();
    expect(bTokens).toHaveBeenCalledWith({ accessToken: 'signed-in', refreshToken: 'rs' });
    expect(await storageB.load()).toEqual({ accessToken: 'signed-in', refreshToken: 'rs' });
    expect(await b.getAccessToken()).toBe('signed-in');
    expect(refresh).not.toHaveBeenCalled();
    a.dispose();
    b.dispose();
  });

  it('inside the lock a tab re-reads storage and adopts what another tab refreshed', async () => {
    const shared = new MapStorage();
    webStorage(shared).save(EXPIRED);
    const gate = deferred<TokenSet>();
    const refreshA = vi.fn<RefreshFunction>(() => gate.promise);
    const refreshB = vi.fn<RefreshFunction>(async () => ({ accessToken: 'from-b' }));
    const a = tab(refreshA, webStorage(shared));
    const b = tab(refreshB, webStorage(shared));
    // b misses a's broadcast (a frozen or throttled tab): only storage can tell it.
    const bChannel = [...FakeChannel.all][1];
    if (bChannel) FakeChannel.muted.add(bChannel);
    const pa = a.getAccessToken();
    await flushMicrotasks();
    expect(refreshA).toHaveBeenCalledTimes(1); // a holds the lock
    const pb = b.getAccessToken(); // b waits for the lock
    await flushMicrotasks();
    gate.resolve({ accessToken: 'from-a', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 });
    expect(await pa).toBe('from-a');
    expect(await pb).toBe('from-a');
    expect(refreshB).not.toHaveBeenCalled();
    expect(b.status).toBe('authenticated');
    a.dispose();
    b.dispose();
  });

  it('logout propagates to the other tab without echo', async () => {
    const a = tab(vi.fn<RefreshFunction>(), memoryStorage({ accessToken: 'a' }));
    const storageB = memoryStorage({ accessToken: 'a' });
    const b = tab(vi.fn<RefreshFunction>(), storageB);
    await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    const aLogout = vi.fn();
    const bLogout = vi.fn();
    a.on('logout', aLogout);
    b.on('logout', bLogout);
    await a.logout('bye');
    await flushMicrotasks();
    expect(aLogout).toHaveBeenCalledTimes(1);
    expect(bLogout).toHaveBeenCalledTimes(1);
    expect(bLogout).toHaveBeenCalledWith('crossTab');
    expect(b.status).toBe('unauthenticated');
    expect(await b.getAccessToken()).toBeNull();
    expect(await storageB.load()).toBeNull();
    a.dispose();
    b.dispose();
  });

  it('shows `refreshing` while another tab refreshes, and recovers when that tab goes away', async () => {
    const gate = deferred<TokenSet>();
    const a = tab(() => gate.promise, memoryStorage({ ...EXPIRED }));
    const b = tab(vi.fn<RefreshFunction>(), memoryStorage({ accessToken: 'b', expiresAt: 9e15 }));
    await b.getAccessToken();
    const statuses: string[] = [];
    b.on('status', (s) => statuses.push(s));
    const pa = a.getAccessToken().catch((error: unknown) => error);
    await flushMicrotasks();
    expect(b.status).toBe('refreshing');
    a.dispose(); // tab closed mid-refresh: its lock is released, no message is sent
    await pa;
    await flushMicrotasks();
    expect(b.status).toBe('authenticated');
    expect(statuses).toEqual(['refreshing', 'authenticated']);
    b.dispose();
  });

  it('an orphaned lock delays a refresh by at most refreshTimeoutMs, then it runs without it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    locks.request('apollo-token-refresh', {}, () => new Promise(() => {})); // frozen holder
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'fresh' }));
    const a = tab(refresh, memoryStorage({ ...EXPIRED }), { refreshTimeoutMs: 2_000 });
    const p = a.getAccessToken();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toBe('fresh');
    expect(refresh).toHaveBeenCalledTimes(1);
    a.dispose();
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
