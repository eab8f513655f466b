/**
 * The one refresh every caller shares, overtaken: a logout or new tokens during a refresh abort
 * it, its waiters get what the session holds now, and its late result is never stored.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionExpiredError } from '../../src/shared/errors.js';
import type { RefreshFunction } from '../../src/token/types.js';
import { flushMicrotasks } from '../support/flush.js';
import {
  failingRefresh,
  heldRefresh,
  httpError,
  managerOverStoredSession,
} from '../support/tokens.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('logout during a refresh', () => {
  it('aborts the signal, rejects waiters, stores nothing even if the refresh resolves later', async () => {
    const { refresh, answer, signals } = heldRefresh();
    const { manager, storage, events } = managerOverStoredSession(refresh);
    const tokens = vi.fn();
    manager.on('tokens', tokens);
    const waiters = Array.from({ length: 10 }, () => manager.getAccessToken());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.status).toBe('refreshing');
    const reason = new Error('user clicked sign out');
    await manager.logout(reason);
    expect(signals[0]?.aborted).toBe(true);
    for (const waiter of waiters) {
      const error = await waiter.catch((failure: unknown) => failure);
      expect(SessionExpiredError.is(error)).toBe(true);
      expect((error as Error).cause).toBe(reason);
    }
    answer.resolve({ accessToken: 'too-late', refreshToken: 'r2' });
    await vi.advanceTimersByTimeAsync(0);
    await flushMicrotasks();
    expect(storage.value).toBeNull();
    expect(storage.calls.filter((call) => call === 'save')).toEqual([]);
    expect(tokens).not.toHaveBeenCalled();
    expect(events).toEqual(['logout']);
    expect(manager.status).toBe('unauthenticated');
    expect(await manager.getAccessToken()).toBeNull();
  });

  it('a logout during the retry delay stops the retries', async () => {
    const refresh = failingRefresh(new Error('down'));
    const { manager } = managerOverStoredSession(refresh, { retry: { attempts: 3 } });
    const outcome = manager.getAccessToken().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    await manager.logout();
    expect(SessionExpiredError.is(await outcome)).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('emits logout once; a second logout without a session emits nothing', async () => {
    const { manager, events } = managerOverStoredSession(vi.fn<RefreshFunction>());
    await manager.logout();
    await manager.logout();
    expect(events).toEqual(['logout']);
    await manager.setTokens({ accessToken: 'again' });
    await manager.logout();
    expect(events).toEqual(['logout', 'logout']);
  });
});

describe('setTokens during a refresh', () => {
  it('wins: the refresh result is never stored, waiters get the newest token', async () => {
    const { refresh, answer, signals } = heldRefresh();
    const { manager, storage } = managerOverStoredSession(refresh);
    const waiter = manager.getAccessToken();
    await vi.advanceTimersByTimeAsync(0);
    await manager.setTokens({ accessToken: 'signed-in-again', refreshToken: 'r9' });
    expect(signals[0]?.aborted).toBe(true);
    expect(await waiter).toBe('signed-in-again');
    answer.resolve({ accessToken: 'stale-refresh-result' });
    await flushMicrotasks();
    expect(storage.value).toEqual({ accessToken: 'signed-in-again', refreshToken: 'r9' });
    expect(await manager.getAccessToken()).toBe('signed-in-again');
    expect(manager.status).toBe('authenticated');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('wins even when the refresh function ignores the abort and resolves', async () => {
    const { refresh, answer } = heldRefresh();
    const { manager, storage } = managerOverStoredSession(refresh);
    const waiter = manager.getAccessToken();
    await vi.advanceTimersByTimeAsync(0);
    const setting = manager.setTokens({ accessToken: 'newest' });
    answer.resolve({ accessToken: 'older' });
    await setting;
    expect(await waiter).toBe('newest');
    await flushMicrotasks();
    expect(storage.value).toEqual({ accessToken: 'newest' });
  });
});

describe('a refresh that ends a session without tokens', () => {
  it('cookie flow: a rejected refresh without tokens emits refreshFailed but no logout', async () => {
    const refresh = failingRefresh(httpError(401));
    const { manager, events } = managerOverStoredSession(refresh, {}, null);
    const error = await manager.refresh().catch((failure: unknown) => failure);
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(refresh.mock.calls[0]?.[0].refreshToken).toBeUndefined();
    expect(events).toEqual(['refreshFailed:SESSION_EXPIRED']);
    expect(manager.status).toBe('unauthenticated');
  });
});
