import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshFailedError, SessionExpiredError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import type { RefreshContext, RefreshFunction, TokenSet } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { flushMicrotasks } from '../support/flush.js';
import { failingRefresh, httpError, recordingStorage } from '../support/tokens.js';

const EXPIRED: TokenSet = { accessToken: 'expired-access', refreshToken: 'r1', expiresAt: 0 };

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A manager over a storage holding an expired session (`stored`), recording its events. */
function setup(
  refresh: RefreshFunction,
  extra: Partial<TokenManager.Options> = {},
  stored: TokenSet | null = { ...EXPIRED },
) {
  const storage = recordingStorage(stored);
  const manager = new TokenManager({ refresh, storage, ...extra });
  const events: string[] = [];
  const errors: unknown[] = [];
  manager.on('refreshFailed', (error) => {
    events.push(`refreshFailed:${error.code}`);
    errors.push(error);
  });
  manager.on('logout', () => events.push('logout'));
  return { manager, storage, events, errors };
}

/**
 * A refresh function that answers only when the test settles `answer` (never, if it does not),
 * ignoring its abort signal; `signals` holds each call's signal.
 */
function heldRefresh() {
  const answer = deferred<TokenSet>();
  const signals: AbortSignal[] = [];
  const refresh = vi.fn((context: RefreshContext) => {
    signals.push(context.signal);
    return answer.promise;
  });
  return { refresh, answer, signals };
}

describe('fatal refresh failure', () => {
  for (const [label, error] of [
    ['status 401', httpError(401)],
    ['status 400', httpError(400)],
    ['statusCode 403', { statusCode: 403 }],
    ['SessionExpiredError', new SessionExpiredError()],
  ] as const) {
    it(`${label}: clears storage, emits refreshFailed then logout once, rejects every waiter`, async () => {
      const refresh = failingRefresh(error);
      const { manager, storage, events, errors } = setup(refresh);
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

  it('a custom isSessionEnded decides', async () => {
    const refresh = failingRefresh(httpError(401));
    const { manager, events } = setup(refresh, {
      isSessionEnded: (error) => (error as { status?: number }).status === 418,
      retry: { attempts: 1 },
    });
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(RefreshFailedError);
    expect(events).toEqual(['refreshFailed:REFRESH_FAILED']);
  });

  it('an error isSessionEnded calls transient is transient, even a SessionExpiredError', async () => {
    const refresh = failingRefresh(new SessionExpiredError());
    const { manager, storage, events } = setup(refresh, {
      isSessionEnded: () => false,
      retry: { attempts: 1 },
    });
    const error = await manager.getAccessToken().catch((failure: unknown) => failure);
    expect(RefreshFailedError.is(error)).toBe(true);
    expect(events).toEqual(['refreshFailed:REFRESH_FAILED']);
    expect(storage.value).toEqual(EXPIRED);
  });
});

describe('transient refresh failure', () => {
  it('retries with backoff, then rejects with RefreshFailedError and keeps the tokens', async () => {
    const refresh = failingRefresh(httpError(503));
    const { manager, storage, events } = setup(refresh, { retry: { attempts: 3 } });
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
    expect(storage.value).toEqual(EXPIRED);
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
    const { manager, events } = setup(refresh, { retry: { attempts: 5, delayMs } });
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
    const { manager } = setup(refresh, { retry: { attempts: 7 } });
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
    const { manager, storage } = setup(refresh, {
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
    expect(storage.value).toEqual(EXPIRED);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('logout during a refresh', () => {
  it('aborts the signal, rejects waiters, stores nothing even if the refresh resolves later', async () => {
    const { refresh, answer, signals } = heldRefresh();
    const { manager, storage, events } = setup(refresh);
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
    const { manager } = setup(refresh, { retry: { attempts: 3 } });
    const outcome = manager.getAccessToken().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    await manager.logout();
    expect(SessionExpiredError.is(await outcome)).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('emits logout once; a second logout without a session emits nothing', async () => {
    const { manager, events } = setup(vi.fn<RefreshFunction>());
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
    const { manager, storage } = setup(refresh);
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
    const { manager, storage } = setup(refresh);
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

describe('edge cases', () => {
  it('cookie flow: a rejected refresh without tokens emits refreshFailed but no logout', async () => {
    const refresh = failingRefresh(httpError(401));
    const { manager, events } = setup(refresh, {}, null);
    const error = await manager.refresh().catch((failure: unknown) => failure);
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(refresh.mock.calls[0]?.[0].refreshToken).toBeUndefined();
    expect(events).toEqual(['refreshFailed:SESSION_EXPIRED']);
    expect(manager.status).toBe('unauthenticated');
  });

  it('setTokens before the slow initial load completes is not overwritten by the load', async () => {
    const gate = deferred<TokenSet | null>();
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: { load: () => gate.promise, save() {}, clear() {} },
    });
    const first = manager.getAccessToken();
    await manager.setTokens({ accessToken: 'logged-in' });
    gate.resolve({ accessToken: 'stale-stored' });
    expect(await first).toBe('logged-in');
    expect(await manager.getAccessToken()).toBe('logged-in');
  });
});
