/**
 * How one refresh calls the app's `refresh` function: which failures end the session (and are
 * not retried), which are transient (retried with backoff, then reported with the tokens kept),
 * and the timeout that bounds each attempt.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshFailedError, SessionExpiredError } from '../../src/shared/errors.js';
import type { RefreshFunction } from '../../src/token/types.js';
import {
  EXPIRED_SESSION,
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

describe('fatal refresh failure', () => {
  for (const [label, error] of [
    ['status 401', httpError(401)],
    ['status 400', httpError(400)],
    ['statusCode 403', { statusCode: 403 }],
    ['SessionExpiredError', new SessionExpiredError()],
  ] as const) {
    it(`${label}: clears storage, emits refreshFailed then logout once, rejects every waiter`, async () => {
      const refresh = failingRefresh(error);
      const { manager, storage, events, errors } = managerOverStoredSession(refresh);
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () => manager.getAccessToken()),
      );
      expect(refresh).toHaveBeenCalledTimes(1); // fatal errors are not retried
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason = (result as PromiseRejectedResult).reason;
        expect(SessionExpiredError.is(reason)).toBe(true);
        expect(reason).toBeInstanceOf(SessionExpiredError);
        expect((reason as Error).cause).toBe(error);
      }
      expect(events).toEqual(['refreshFailed:SESSION_EXPIRED', 'logout']);
      expect(errors[0]).toBe((results[0] as PromiseRejectedResult).reason);
      expect(storage.value).toBeNull();
      expect(storage.calls).toContain('clear');
      expect(manager.status).toBe('unauthenticated');
      expect(await manager.getAccessToken()).toBeNull();
      expect(refresh).toHaveBeenCalledTimes(1);
    });
  }

  it('a custom isSessionEnded decides: a 401 it does not accept is transient, no logout', async () => {
    const refresh = failingRefresh(httpError(401));
    const { manager, events } = managerOverStoredSession(refresh, {
      isSessionEnded: (error) => (error as { status?: number }).status === 418,
      retry: { attempts: 1 },
    });
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(RefreshFailedError);
    expect(events).toEqual(['refreshFailed:REFRESH_FAILED']);
  });

  it('an error isSessionEnded calls transient is transient, even a SessionExpiredError', async () => {
    const refresh = failingRefresh(new SessionExpiredError());
    const { manager, storage, events } = managerOverStoredSession(refresh, {
      isSessionEnded: () => false,
      retry: { attempts: 1 },
    });
    const error = await manager.getAccessToken().catch((failure: unknown) => failure);
    expect(RefreshFailedError.is(error)).toBe(true);
    expect(events).toEqual(['refreshFailed:REFRESH_FAILED']);
    expect(storage.value).toEqual(EXPIRED_SESSION);
  });
});

describe('transient refresh failure', () => {
  it('retries with backoff, then rejects with RefreshFailedError and keeps the tokens', async () => {
    const refresh = failingRefresh(httpError(503));
    const { manager, storage, events } = managerOverStoredSession(refresh, {
      retry: { attempts: 3 },
    });
    const settled = Promise.allSettled([manager.getAccessToken(), manager.refresh()]);
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // first retry after 250 ms
    expect(refresh).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(refresh).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1); // second retry after 500 ms more
    expect(refresh).toHaveBeenCalledTimes(3);
    const results = await settled;
    for (const result of results) {
      const reason = (result as PromiseRejectedResult).reason as RefreshFailedError;
      expect(RefreshFailedError.is(reason)).toBe(true);
      expect(reason.code).toBe('REFRESH_FAILED');
      expect((reason.cause as { status: number }).status).toBe(503);
    }
    expect(events).toEqual(['refreshFailed:REFRESH_FAILED']);
    expect(storage.value).toEqual(EXPIRED_SESSION);
    expect(manager.status).toBe('authenticated');

    // The next operation tries again, and may succeed.
    refresh.mockImplementation(async () => ({ accessToken: 'recovered' }));
    expect(await manager.getAccessToken()).toBe('recovered');
    expect(refresh).toHaveBeenCalledTimes(4);
  });

  it('uses a custom delayMs and stops retrying once it succeeds', async () => {
    const refresh = vi
      .fn<RefreshFunction>()
      .mockRejectedValueOnce(new TypeError('fetch failed'))
      .mockResolvedValueOnce({ accessToken: 'second-time' });
    const delayMs = vi.fn(() => 1_000);
    const { manager, events } = managerOverStoredSession(refresh, {
      retry: { attempts: 5, delayMs },
    });
    const token = manager.getAccessToken();
    await vi.advanceTimersByTimeAsync(999);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await token).toBe('second-time');
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(delayMs).toHaveBeenCalledWith(1);
    expect(events).toEqual([]);
  });

  it('default backoff is capped at 5 s', async () => {
    const refresh = failingRefresh(new Error('down'));
    const { manager } = managerOverStoredSession(refresh, { retry: { attempts: 7 } });
    const outcome = manager.getAccessToken().catch((error: unknown) => error);
    // 250 + 500 + 1000 + 2000 + 4000 + 5000 (capped) = 12_750
    await vi.advanceTimersByTimeAsync(12_749);
    expect(refresh).toHaveBeenCalledTimes(6);
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(7);
    expect(RefreshFailedError.is(await outcome)).toBe(true);
  });
});

describe('timeout', () => {
  it('aborts the signal after refreshTimeoutMs and fails transiently', async () => {
    // Never answers and ignores the signal: the manager must not hang anyway.
    const { refresh, signals } = heldRefresh();
    const { manager, storage } = managerOverStoredSession(refresh, {
      refreshTimeoutMs: 5_000,
      retry: { attempts: 2, delayMs: () => 100 },
    });
    const outcome = manager.getAccessToken().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(100); // the retry gets a fresh signal and its own timeout
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = (await outcome) as RefreshFailedError;
    expect(RefreshFailedError.is(error)).toBe(true);
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(storage.value).toEqual(EXPIRED_SESSION);
    expect(vi.getTimerCount()).toBe(0);
  });
});
