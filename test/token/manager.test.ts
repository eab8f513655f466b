import { describe, expect, it, vi } from 'vitest';
import {
  RefreshFailedError,
  SessionExpiredError,
  TokenRefreshError,
} from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { flushMicrotasks } from '../support/flush.js';
import { jwt, recordingStorage } from '../support/tokens.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

function setup(initial: TokenSet | null, refresh: RefreshFunction, clock = { now: T0 }) {
  const storage = recordingStorage(initial);
  const manager = new TokenManager({
    refresh,
    storage,
    now: () => clock.now,
    retry: { attempts: 1 },
  });
  return { manager, storage, clock };
}

describe('TokenManager: single flight', () => {
  it('1,000 concurrent getAccessToken() on an expired token make exactly one refresh call', async () => {
    const expired = await jwt(T0 - 1_000);
    const fresh = await jwt(T0 + HOUR);
    const refresh = vi.fn<RefreshFunction>(async ({ refreshToken }) => {
      expect(refreshToken).toBe('r1');
      return { accessToken: fresh, refreshToken: 'r2' };
    });
    const { manager, storage } = setup({ accessToken: expired, refreshToken: 'r1' }, refresh);
    const results = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(new Set(results)).toEqual(new Set([fresh]));
    // The expiry as judged on arrival is stored with the tokens.
    expect(storage.value).toEqual({ accessToken: fresh, refreshToken: 'r2', expiresAt: T0 + HOUR });
    expect(await manager.getAccessToken()).toBe(fresh);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('joins concurrent refresh() calls and lets a new refresh start after settling', async () => {
    let issued = 0;
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: `opaque-${++issued}` }));
    const { manager } = setup({ accessToken: 'opaque-0' }, refresh);
    const [firstRefresh, secondRefresh, token] = await Promise.all([
      manager.refresh(),
      manager.refresh(),
      manager.getAccessToken(),
    ]);
    expect([firstRefresh, secondRefresh]).toEqual(['opaque-1', 'opaque-1']);
    expect(token).toBe('opaque-1');
    expect(await manager.refresh()).toBe('opaque-2');
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('the refresh request goes out before getAccessToken() returns; a refresh asking for a token joins itself', async () => {
    const clock = { now: T0 };
    const refresh = vi.fn<RefreshFunction>();
    const { manager } = setup({ accessToken: 'old', expiresAt: T0 + HOUR }, refresh, clock);
    expect(await manager.getAccessToken()).toBe('old'); // loaded from storage
    clock.now = T0 + HOUR; // expiring now
    let inner: Promise<string | null> | undefined;
    refresh.mockImplementationOnce(async () => {
      inner = manager.getAccessToken();
      return { accessToken: 'next' };
    });
    const outer = manager.getAccessToken();
    // Called synchronously: with many operations starting in one tick, the refresh request
    // does not wait for all of them to be built first.
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(await outer).toBe('next');
    expect(await inner).toBe('next');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('a fresh token is returned without calling refresh', async () => {
    const token = await jwt(T0 + HOUR);
    const refresh = vi.fn<RefreshFunction>();
    const { manager, storage } = setup({ accessToken: token }, refresh);
    expect(await manager.getAccessToken()).toBe(token);
    expect(await manager.getAccessToken()).toBe(token);
    expect(refresh).not.toHaveBeenCalled();
    expect(storage.calls).toEqual(['load']); // lazy, and only once
    expect(manager.status).toBe('authenticated');
  });

  it('does not touch storage before the first use', () => {
    const { storage } = setup(null, vi.fn<RefreshFunction>());
    expect(storage.calls).toEqual([]);
  });
});

describe('TokenManager: stale-failure guard and no tokens', () => {
  it('refresh({ failedToken }) with a replaced token resolves the current one, no call', async () => {
    const current = await jwt(T0 + HOUR);
    const refresh = vi.fn<RefreshFunction>();
    const { manager } = setup({ accessToken: current, refreshToken: 'r1' }, refresh);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => manager.refresh({ failedToken: 'an-older-token' })),
    );
    expect(new Set(results)).toEqual(new Set([current]));
    expect(refresh).not.toHaveBeenCalled();
  });

  it('refresh({ failedToken }) with the current token refreshes once', async () => {
    const current = await jwt(T0 + HOUR);
    const next = await jwt(T0 + 2 * HOUR);
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: next }));
    const { manager } = setup({ accessToken: current }, refresh);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => manager.refresh({ failedToken: current })),
    );
    expect(new Set(results)).toEqual(new Set([next]));
    expect(refresh).toHaveBeenCalledTimes(1);
    // A late failure reported with the old token is stale now.
    expect(await manager.refresh({ failedToken: current })).toBe(next);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('joins a refresh in flight even when failedToken is stale', async () => {
    const gate = deferred<TokenSet>();
    const refresh = vi.fn<RefreshFunction>(() => gate.promise);
    const { manager } = setup({ accessToken: 'old', expiresAt: T0 - 1 }, refresh);
    const first = manager.getAccessToken();
    await flushMicrotasks();
    const second = manager.refresh({ failedToken: 'something-else' });
    gate.resolve({ accessToken: 'new' });
    expect(await first).toBe('new');
    expect(await second).toBe('new');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('without tokens: getAccessToken() is null without a call; refresh() passes undefined', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'from-cookie' }));
    const { manager } = setup(null, refresh);
    expect(await manager.getAccessToken()).toBeNull();
    expect(manager.status).toBe('unauthenticated');
    expect(refresh).not.toHaveBeenCalled();
    expect(await manager.refresh()).toBe('from-cookie');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh.mock.calls[0]?.[0].refreshToken).toBeUndefined();
    expect(await manager.getAccessToken()).toBe('from-cookie');
  });
});

describe('TokenManager: expiry', () => {
  it('uses expiresAt before the JWT exp, with refreshBeforeExpiryMs', async () => {
    const longJwt = await jwt(T0 + HOUR);
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'next' }));
    const clock = { now: T0 };
    const storage = memoryStorage({ accessToken: longJwt, expiresAt: T0 + 60_000 });
    const manager = new TokenManager({ refresh, storage, now: () => clock.now });
    clock.now = T0 + 29_999; // 30_001 ms left, default margin 30_000
    expect(await manager.getAccessToken()).toBe(longJwt);
    clock.now = T0 + 30_000;
    expect(await manager.getAccessToken()).toBe('next');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('reads the JWT exp when there is no expiresAt', async () => {
    const token = await jwt(T0 + 100_000);
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'next' }));
    const clock = { now: T0 };
    const manager = new TokenManager({
      refresh,
      storage: memoryStorage({ accessToken: token }),
      refreshBeforeExpiryMs: 10_000,
      now: () => clock.now,
    });
    clock.now = T0 + 89_000;
    expect(await manager.getAccessToken()).toBe(token);
    clock.now = T0 + 90_000;
    expect(await manager.getAccessToken()).toBe('next');
  });

  it('treats a malformed JWT or a JWT without exp as opaque: no proactive refresh, no crash', async () => {
    const noExp = await jwt();
    for (const accessToken of ['not.a.jwt', 'a.b', 'x.%%%.y', 'e30.e30.sig', noExp, 'opaque']) {
      const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'next' }));
      const manager = new TokenManager({
        refresh,
        storage: memoryStorage({ accessToken }),
        now: () => Number.MAX_SAFE_INTEGER,
      });
      expect(await manager.getAccessToken()).toBe(accessToken);
      expect(refresh).not.toHaveBeenCalled();
      // Reactive refresh still works.
      expect(await manager.refresh({ failedToken: accessToken })).toBe('next');
    }
  });
});

describe('TokenManager: validation of token sets and storage', () => {
  it('an invalid refresh result fails transiently with an INVALID_TOKEN_SET cause', async () => {
    const bad: unknown[] = [null, {}, { accessToken: '' }, { accessToken: 1 }, 'token'];
    for (const value of bad) {
      const refresh = vi.fn(async () => value as TokenSet);
      const { manager, storage } = setup({ accessToken: 'old', expiresAt: T0 - 1 }, refresh);
      const error = await manager.getAccessToken().catch((error: unknown) => error);
      expect(RefreshFailedError.is(error)).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(TokenRefreshError);
      expect(((error as Error).cause as TokenRefreshError).code).toBe('INVALID_TOKEN_SET');
      expect(storage.value).toEqual({ accessToken: 'old', expiresAt: T0 - 1 });
    }
  });

  it('a token refresh just returned is never thrown away as expired on this clock: it is used, and only refreshed after a rejection', async () => {
    const looksExpired: TokenSet[] = [
      { accessToken: 'late', expiresAt: T0 },
      { accessToken: 'later', expiresAt: T0 - HOUR },
      { accessToken: await jwt(T0 - 60_000) }, // expiry from the JWT `exp`, no `iat`
    ];
    for (const returned of looksExpired) {
      const refresh = vi.fn(async () => returned);
      const { manager, storage, clock } = setup({ accessToken: 'old', expiresAt: T0 - 1 }, refresh);
      expect(await manager.getAccessToken()).toBe(returned.accessToken);
      // Judged opaque: no proactive refresh loop, however much time passes.
      clock.now += HOUR;
      expect(await manager.getAccessToken()).toBe(returned.accessToken);
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(manager.expiresAt).toBeNull();
      expect(storage.value?.accessToken).toBe(returned.accessToken);
      expect(manager.status).toBe('authenticated');
    }
  });

  it('rejects invalid setTokens values with INVALID_TOKEN_SET', async () => {
    const { manager } = setup(null, vi.fn<RefreshFunction>());
    const values: unknown[] = [
      undefined,
      {},
      { accessToken: '' },
      { accessToken: 'a', refreshToken: 5 },
      { accessToken: 'a', expiresAt: Number.NaN },
      { accessToken: 'a', expiresAt: '1' },
    ];
    for (const value of values) {
      const error = await manager.setTokens(value as TokenSet).catch((error: unknown) => error);
      expect(TokenRefreshError.is(error)).toBe(true);
      expect((error as TokenRefreshError).code).toBe('INVALID_TOKEN_SET');
    }
    expect(manager.status).toBe('unauthenticated');
  });

  it('a storage that throws surfaces as STORAGE_FAILED and can recover', async () => {
    const { manager, storage } = setup({ accessToken: 'stored' }, vi.fn<RefreshFunction>());
    storage.fail.load = true;
    const error = await manager.getAccessToken().catch((error: unknown) => error);
    expect(TokenRefreshError.is(error)).toBe(true);
    expect((error as TokenRefreshError).code).toBe('STORAGE_FAILED');
    expect(((error as Error).cause as Error).message).toBe('disk on fire');
    await expect(manager.refresh()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    storage.fail.load = false;
    expect(await manager.getAccessToken()).toBe('stored');
  });

  it('a synchronous storage that throws is STORAGE_FAILED too', async () => {
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: {
        load: () => {
          throw new Error('nope');
        },
        save: () => {},
        clear: () => {},
      },
    });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
  });

  it('a stored value that is not a TokenSet is INVALID_TOKEN_SET; setTokens recovers', async () => {
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: { load: () => ({ token: 'x' }) as unknown as TokenSet, save() {}, clear() {} },
    });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'INVALID_TOKEN_SET' });
    await manager.setTokens({ accessToken: 'fresh' });
    expect(await manager.getAccessToken()).toBe('fresh');
  });

  it('setTokens rejects with STORAGE_FAILED when saving fails but uses the tokens', async () => {
    const { manager, storage } = setup(null, vi.fn<RefreshFunction>());
    storage.fail.save = true;
    await expect(manager.setTokens({ accessToken: 'new' })).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    });
    expect(await manager.getAccessToken()).toBe('new');
  });

  it('logout rejects with STORAGE_FAILED when clearing fails, still ends the session', async () => {
    const { manager, storage } = setup({ accessToken: 'a' }, vi.fn<RefreshFunction>());
    const onLogout = vi.fn();
    manager.on('logout', onLogout);
    await manager.getAccessToken();
    storage.fail.clear = true;
    await expect(manager.logout()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(onLogout).toHaveBeenCalledTimes(1);
    expect(await manager.getAccessToken()).toBeNull();
  });
});

describe('TokenManager: events and status', () => {
  it('emits status changes and events in the documented order', async () => {
    const log: string[] = [];
    let fail: unknown;
    const refresh = vi.fn<RefreshFunction>(async () => {
      if (fail) throw fail;
      return { accessToken: 'next', expiresAt: T0 + HOUR };
    });
    const { manager, clock } = setup({ accessToken: 'old', expiresAt: T0 + HOUR }, refresh);
    manager.on('status', (status) => log.push(`status:${status}`));
    manager.on('refreshing', () => log.push('refreshing'));
    manager.on('tokens', (tokens) => log.push(`tokens:${tokens.accessToken}`));
    manager.on('refreshFailed', (error) => log.push(`refreshFailed:${error.code}`));
    manager.on('logout', () => log.push('logout'));

    await manager.getAccessToken();
    expect(log).toEqual(['status:authenticated']); // loading emits status, not tokens
    log.length = 0;

    await manager.refresh();
    expect(log).toEqual(['status:refreshing', 'refreshing', 'tokens:next', 'status:authenticated']);
    log.length = 0;

    fail = new Error('offline');
    await manager.refresh().catch(() => {});
    expect(log).toEqual([
      'status:refreshing',
      'refreshing',
      'refreshFailed:REFRESH_FAILED',
      'status:authenticated',
    ]);
    log.length = 0;

    await manager.setTokens({ accessToken: 'login', expiresAt: T0 + HOUR });
    expect(log).toEqual(['tokens:login']); // status unchanged: no status event
    log.length = 0;

    fail = { status: 401 };
    clock.now = T0 + 2 * HOUR;
    await manager.getAccessToken().catch(() => {});
    expect(log).toEqual([
      'status:refreshing',
      'refreshing',
      'refreshFailed:SESSION_EXPIRED',
      'status:unauthenticated',
      'logout',
    ]);
    log.length = 0;
    await manager.logout();
    expect(log).toEqual([]); // no session in between: no second logout
  });

  it('on() returns an unsubscribe function; a throwing listener does not break the manager', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'next' }));
    const { manager } = setup({ accessToken: 'old', expiresAt: T0 - 1 }, refresh);
    const seen = vi.fn();
    const off = manager.on('tokens', seen);
    manager.on('tokens', () => {
      throw new Error('listener bug');
    });
    manager.on('refreshing', () => {
      throw new Error('listener bug');
    });
    expect(await manager.getAccessToken()).toBe('next');
    expect(seen).toHaveBeenCalledTimes(1);
    off();
    await manager.setTokens({ accessToken: 'again' });
    expect(seen).toHaveBeenCalledTimes(1);
    expect(manager.status).toBe('authenticated');
  });

  it('a listener calling getAccessToken() during `refreshing` joins the refresh', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'next' }));
    const { manager } = setup({ accessToken: 'old', expiresAt: T0 - 1 }, refresh);
    let inner: Promise<string | null> | undefined;
    manager.on('refreshing', () => {
      inner = manager.getAccessToken();
    });
    expect(await manager.getAccessToken()).toBe('next');
    expect(await inner).toBe('next');
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});

describe('TokenManager: dispose', () => {
  it('rejects pending waiters and later calls with DISPOSED, emits nothing', async () => {
    const gate = deferred<TokenSet>();
    const { manager, storage } = setup(
      { accessToken: 'old', expiresAt: T0 - 1 },
      () => gate.promise,
    );
    const events = vi.fn();
    manager.on('tokens', events);
    manager.on('status', events);
    const pending = manager.getAccessToken();
    await flushMicrotasks();
    events.mockClear();
    manager.dispose();
    gate.resolve({ accessToken: 'late' });
    await expect(pending).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(manager.refresh()).rejects.toMatchObject({ code: 'DISPOSED' });
    await expect(manager.setTokens({ accessToken: 'x' })).rejects.toMatchObject({
      code: 'DISPOSED',
    });
    await expect(manager.logout()).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(events).not.toHaveBeenCalled();
    expect(storage.value?.accessToken).toBe('old');
    expect(SessionExpiredError.is(await pending.catch((error: unknown) => error))).toBe(false);
  });
});
