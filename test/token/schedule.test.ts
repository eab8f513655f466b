import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { failingRefresh, jwt } from '../support/tokens.js';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Each refresh issues a token valid for 10 minutes from the (fake) clock. (Signing a JWT here
 * would wait on real WebCrypto work that fake timers cannot flush; the initial tokens are JWTs.)
 */
function issuer() {
  let n = 0;
  return vi.fn<RefreshFunction>(async () => ({
    accessToken: `issued-${++n}`,
    expiresAt: Date.now() + 10 * MIN,
  }));
}

function scheduled(initial: TokenSet, refresh: RefreshFunction) {
  return new TokenManager({
    refresh,
    storage: memoryStorage(initial),
    scheduleRefresh: true,
    refreshBeforeExpiryMs: MIN,
  });
}

describe('scheduleRefresh', () => {
  it('refreshes in the background when the token starts expiring, and re-arms', async () => {
    const refresh = issuer();
    const first = await jwt(T0 + 10 * MIN);
    const manager = scheduled({ accessToken: first }, refresh);
    const tokens = vi.fn();
    manager.on('tokens', tokens);
    expect(await manager.getAccessToken()).toBe(first); // loads and arms
    await vi.advanceTimersByTimeAsync(9 * MIN - 1);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(tokens).toHaveBeenCalledTimes(1);
    const second = await manager.getAccessToken();
    expect(second).not.toBe(first);
    await vi.advanceTimersByTimeAsync(9 * MIN);
    expect(refresh).toHaveBeenCalledTimes(2); // re-armed for the new token
    manager.dispose();
  });

  it('operations never wait: the token in use is always ahead of its expiry window', async () => {
    const refresh = issuer();
    const manager = scheduled({ accessToken: await jwt(T0 + 10 * MIN) }, refresh);
    await manager.getAccessToken();
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(5 * MIN);
      expect(manager.status).toBe('authenticated');
    }
    expect(refresh).toHaveBeenCalledTimes(5);
    manager.dispose();
  });

  it('is cleared by logout and by dispose', async () => {
    const refresh = issuer();
    const a = scheduled({ accessToken: await jwt(T0 + 10 * MIN) }, refresh);
    await a.getAccessToken();
    expect(vi.getTimerCount()).toBe(1);
    await a.logout();
    expect(vi.getTimerCount()).toBe(0);
    const b = scheduled({ accessToken: await jwt(T0 + 10 * MIN) }, refresh);
    await b.getAccessToken();
    expect(vi.getTimerCount()).toBe(1);
    b.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('a late timer (machine slept) changes nothing: the next call refreshes first', async () => {
    const refresh = issuer();
    const first = await jwt(T0 + 10 * MIN);
    const manager = scheduled({ accessToken: first }, refresh);
    await manager.getAccessToken();
    // The clock jumps two days ahead without timers firing, as after a suspend.
    vi.setSystemTime(T0 + 2 * 24 * 60 * MIN);
    const token = await manager.getAccessToken();
    expect(token).not.toBe(first);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(0); // the overdue timer fires now: token is fresh, no call
    expect(refresh).toHaveBeenCalledTimes(1);
    manager.dispose();
  });

  it('a background failure is swallowed (refreshFailed, no unhandled rejection) and retried on demand', async () => {
    const refresh = failingRefresh(new Error('offline'));
    const manager = new TokenManager({
      refresh,
      storage: memoryStorage({ accessToken: 'opaque', expiresAt: T0 + 10 * MIN }),
      scheduleRefresh: true,
      refreshBeforeExpiryMs: MIN,
      retry: { attempts: 1 },
    });
    const failed = vi.fn();
    manager.on('refreshFailed', failed);
    await manager.getAccessToken();
    await vi.advanceTimersByTimeAsync(9 * MIN);
    expect(failed).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0); // no hot retry loop
    refresh.mockResolvedValueOnce({ accessToken: 'ok', expiresAt: Date.now() + 10 * MIN });
    expect(await manager.getAccessToken()).toBe('ok');
    manager.dispose();
  });

  it('clamps delays beyond setTimeout’s 2^31-1 ms limit instead of firing at once', async () => {
    const refresh = issuer();
    const manager = scheduled(
      { accessToken: 'opaque', expiresAt: T0 + 60 * 24 * 60 * MIN },
      refresh,
    );
    await manager.getAccessToken();
    await vi.advanceTimersByTimeAsync(2 ** 31); // the clamped timer fires, sees time left, re-arms
    expect(refresh).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(1);
    manager.dispose();
  });

  it('re-arms at half the life of a refreshed token shorter-lived than the margin (no loop)', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({
      accessToken: 'short',
      expiresAt: Date.now() + 30_000, // shorter than refreshBeforeExpiryMs
    }));
    const manager = scheduled({ accessToken: 'old', expiresAt: T0 }, refresh);
    expect(await manager.getAccessToken()).toBe('short');
    expect(refresh).toHaveBeenCalledTimes(1);
    // Used, not refreshed again, for the first half of its life.
    expect(await manager.getAccessToken()).toBe('short');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(2);
    // One refresh per half-life, not a loop.
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(refresh).toHaveBeenCalledTimes(2 + 40);
    manager.dispose();
  });
});
