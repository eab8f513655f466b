/**
 * The session across page loads and sign-ins: restoring a session kept in a cookie on page
 * load, loading the stored one (a synchronous storage at once, so the first operation needs no
 * wait), never switching users silently, and the expiry it reports.
 */
import { ApolloLink } from '@apollo/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { SessionExpiredError, TokenRefreshError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { catchWarnings, SHARED_MANAGER_WARNING } from '../support/console.js';
import { deferred } from '../support/deferred.js';
import { execute, stubLink } from '../support/stub-link.js';
import { failingRefresh, httpError, jwt, recordingStorage } from '../support/tokens.js';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

const open: TokenManager[] = [];
afterEach(() => {
  for (const manager of open.splice(0)) manager.dispose();
  vi.unstubAllGlobals();
});

function track(manager: TokenManager) {
  open.push(manager);
  const events: string[] = [];
  manager.on('refreshing', () => events.push('refreshing'));
  manager.on('refreshFailed', (error) => events.push(`refreshFailed:${error.code}`));
  manager.on('logout', () => events.push('logout'));
  manager.on('tokens', () => events.push('tokens'));
  return events;
}

describe('restoreSession: a session kept in an httpOnly cookie', () => {
  it('one refresh on first use, shared by concurrent first operations, without a refresh token', async () => {
    const gate = deferred<TokenSet>();
    const refresh = vi.fn<RefreshFunction>(() => gate.promise);
    const manager = new TokenManager({ refresh, restoreSession: true, now: () => T0 });
    const events = track(manager);
    const first = Array.from({ length: 20 }, () => manager.getAccessToken());
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
    expect(refresh.mock.calls[0]?.[0].refreshToken).toBeUndefined();
    expect(manager.status).toBe('refreshing');
    gate.resolve({ accessToken: 'restored', expiresAt: T0 + 10 * MIN });
    expect(new Set(await Promise.all(first))).toEqual(new Set(['restored']));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['refreshing', 'tokens']);
    expect(manager.status).toBe('authenticated');
  });

  it('nobody signed in (the refresh is rejected): null, status unauthenticated, no logout, no second try', async () => {
    const refresh = failingRefresh(httpError(401));
    const manager = new TokenManager({ refresh, restoreSession: true });
    const events = track(manager);
    const results = await Promise.all([manager.getAccessToken(), manager.getAccessToken()]);
    expect(results).toEqual([null, null]);
    expect(await manager.getAccessToken()).toBeNull();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['refreshing']);
    expect(manager.status).toBe('unauthenticated');
  });

  it('a transient failure rejects with RefreshFailedError, and the next operation tries again', async () => {
    const refresh = vi
      .fn<RefreshFunction>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValue({ accessToken: 'restored' });
    const manager = new TokenManager({
      refresh,
      restoreSession: true,
      retry: { attempts: 1 },
    });
    const events = track(manager);
    const error = await manager.getAccessToken().catch((error: unknown) => error);
    expect(TokenRefreshError.is(error) && error.code).toBe('REFRESH_FAILED');
    expect(await manager.getAccessToken()).toBe('restored');
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(events).toEqual(['refreshing', 'refreshFailed:REFRESH_FAILED', 'refreshing', 'tokens']);
  });

  it('stored tokens, a logout or a sign-in make a restore unnecessary', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'restored' }));
    const stored = new TokenManager({
      refresh,
      restoreSession: true,
      storage: memoryStorage({ accessToken: 'kept' }),
    });
    track(stored);
    expect(await stored.getAccessToken()).toBe('kept');
    const loggedOut = new TokenManager({ refresh, restoreSession: true });
    track(loggedOut);
    await loggedOut.logout();
    expect(await loggedOut.getAccessToken()).toBeNull();
    const signedIn = new TokenManager({ refresh, restoreSession: true });
    track(signedIn);
    await signedIn.setTokens({ accessToken: 'signed-in' });
    expect(await signedIn.getAccessToken()).toBe('signed-in');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('without restoreSession, no tokens means null and no call (the default)', async () => {
    const refresh = vi.fn<RefreshFunction>();
    const manager = new TokenManager({ refresh });
    track(manager);
    expect(await manager.getAccessToken()).toBeNull();
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('loading the stored session', () => {
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

describe('no silent user switch', () => {
  it("a refresh that returns another user's token ends the session: SESSION_EXPIRED caused by SUBJECT_CHANGED", async () => {
    const alice = await jwt(T0 - MIN, 'alice');
    const mallory = await jwt(T0 + 60 * MIN, 'mallory');
    const storage = recordingStorage({ accessToken: alice, refreshToken: 'r1' });
    const manager = new TokenManager({
      refresh: async () => ({ accessToken: mallory, refreshToken: 'planted' }),
      storage,
      now: () => T0,
    });
    const events = track(manager);
    const waiters = await Promise.allSettled([manager.getAccessToken(), manager.getAccessToken()]);
    for (const waiter of waiters) {
      expect(waiter.status).toBe('rejected');
      const error = (waiter as PromiseRejectedResult).reason as SessionExpiredError;
      expect(SessionExpiredError.is(error)).toBe(true);
      expect(TokenRefreshError.is(error.cause) && error.cause.code).toBe('SUBJECT_CHANGED');
      expect(String(error.cause)).not.toContain(mallory);
    }
    expect(events).toEqual(['refreshing', 'refreshFailed:SESSION_EXPIRED', 'logout']);
    expect(storage.value).toBeNull();
    expect(await manager.getAccessToken()).toBeNull();
    expect(manager.status).toBe('unauthenticated');
  });

  it('the same user, or a token without `sub`, carries on; setTokens may change the user', async () => {
    const alice = await jwt(T0 - MIN, 'alice');
    const aliceAgain = await jwt(T0 + 60 * MIN, 'alice');
    const manager = new TokenManager({
      refresh: async () => ({ accessToken: aliceAgain }),
      storage: memoryStorage({ accessToken: alice }),
      now: () => T0,
    });
    track(manager);
    const warnings = catchWarnings();
    expect(await manager.getAccessToken()).toBe(aliceAgain);
    expect(warnings.messages).toEqual([]);
    const bob = await jwt(T0 + 60 * MIN, 'bob');
    await manager.setTokens({ accessToken: bob });
    expect(await manager.getAccessToken()).toBe(bob);
    // Allowed, and on a server (no document here) said once: a manager shared between requests.
    expect(warnings.messages).toEqual([SHARED_MANAGER_WARNING]);
  });
});

describe('expiresAt', () => {
  it('is the current token’s expiry on the device clock, null without one or for an opaque token', async () => {
    const manager = new TokenManager({ refresh: vi.fn<RefreshFunction>(), now: () => T0 });
    track(manager);
    expect(manager.expiresAt).toBeNull();
    await manager.setTokens({ accessToken: 'x', expiresAt: T0 + MIN });
    expect(manager.expiresAt).toBe(T0 + MIN);
    await manager.setTokens({ accessToken: 'opaque' });
    expect(manager.expiresAt).toBeNull();
    await manager.setTokens({ accessToken: await jwt(T0 + 2 * MIN, 'alice') });
    expect(manager.expiresAt).toBe(T0 + 2 * MIN);
    await manager.logout();
    expect(manager.expiresAt).toBeNull();
  });
});

describe('the first use of a manager', () => {
  it('reads a synchronous storage at once: the first operation goes out without waiting', async () => {
    const session: TokenSet = { accessToken: await jwt(Date.now() + 60_000), refreshToken: 'rt' };
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: memoryStorage(session),
    });
    expect(manager.peekAccessToken()).toBe(session.accessToken);
    const stub = stubLink();
    const first = execute(ApolloLink.from([createTokenRefreshLink(manager), stub.link]), 1);
    // Delivered before this line: no promise, no queue between the link and the request.
    expect(first.outcome.values).toEqual([{ data: { echo: 1 } }]);
    expect(stub.sent[0]?.token).toBe(session.accessToken);
    manager.dispose();
  });

  it('waits for an asynchronous storage, reading it once for every operation that waited', async () => {
    const session: TokenSet = { accessToken: await jwt(Date.now() + 60_000), refreshToken: 'rt' };
    const load = vi.fn(async () => session);
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: { load, save: async () => {}, clear: async () => {} },
    });
    expect(manager.peekAccessToken()).toBeUndefined();
    const stub = stubLink();
    const link = ApolloLink.from([createTokenRefreshLink(manager), stub.link]);
    const operations = [execute(link, 1), execute(link, 2)];
    expect(stub.sent).toEqual([]);
    await Promise.all(operations.map((operation) => operation.settled));
    expect(stub.sent.map((sent) => sent.token)).toEqual([session.accessToken, session.accessToken]);
    expect(load).toHaveBeenCalledTimes(1);
    manager.dispose();
  });

  it('a synchronous storage that throws: operations fail with STORAGE_FAILED, a later one tries again', async () => {
    let broken = true;
    const session: TokenSet = { accessToken: await jwt(Date.now() + 60_000) };
    const manager = new TokenManager({
      refresh: vi.fn<RefreshFunction>(),
      storage: {
        load: () => {
          if (broken) throw new Error('storage disabled');
          return session;
        },
        save: () => {},
        clear: () => {},
      },
    });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    broken = false;
    expect(await manager.getAccessToken()).toBe(session.accessToken);
    manager.dispose();
  });
});
