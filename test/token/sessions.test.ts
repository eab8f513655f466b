/**
 * The SPEC's "Sessions across page loads, sleep and sign-ins" at the token core: restoring a
 * cookie session on page load, the wake-up refresh, and no silent user switch.
 */
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionExpiredError, TokenRefreshError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { failingRefresh, httpError, recordingStorage } from '../support/tokens.js';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const secret = new TextEncoder().encode('sessions-test-secret-0123456789abcdef');

const tokenOf = (sub: string, expMs: number) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(expMs / 1000))
    .sign(secret);

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
    const error = await manager.getAccessToken().catch((e: unknown) => e);
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

/** A page and network the manager can listen to: `document` and `online` as browsers have them. */
function stubBrowser() {
  const page = Object.assign(new EventTarget(), { visibilityState: 'hidden' });
  const network = new EventTarget();
  vi.stubGlobal('document', page);
  vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
  vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
  return {
    show() {
      page.visibilityState = 'visible';
      page.dispatchEvent(new Event('visibilitychange'));
    },
    hide() {
      page.visibilityState = 'hidden';
      page.dispatchEvent(new Event('visibilitychange'));
    },
    online: () => network.dispatchEvent(new Event('online')),
  };
}

describe('waking up (scheduleRefresh in a browser)', () => {
  function asleep(refresh: RefreshFunction, clock: { now: number }) {
    const manager = new TokenManager({
      refresh,
      scheduleRefresh: true,
      refreshBeforeExpiryMs: MIN,
      now: () => clock.now,
      storage: memoryStorage({ accessToken: 'evening', expiresAt: T0 + 10 * MIN }),
    });
    track(manager);
    return manager;
  }

  it('a page made visible after a night asleep refreshes at once, once, whatever the number of events', async () => {
    const browser = stubBrowser();
    const clock = { now: T0 };
    const gate = deferred<TokenSet>();
    const refresh = vi.fn<RefreshFunction>(() => gate.promise);
    const manager = asleep(refresh, clock);
    expect(await manager.getAccessToken()).toBe('evening');
    clock.now += 10 * 60 * MIN; // the night: the timer has not fired yet
    browser.show();
    browser.online();
    browser.hide();
    browser.show();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(manager.status).toBe('refreshing');
    gate.resolve({ accessToken: 'morning', expiresAt: clock.now + 10 * MIN });
    // The first operation after waking up finds the new token without starting a refresh.
    expect(await manager.getAccessToken()).toBe('morning');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('a visible page with a token that is not expiring does nothing; nor does a hidden one', async () => {
    const browser = stubBrowser();
    const clock = { now: T0 };
    const refresh = vi.fn<RefreshFunction>();
    const manager = asleep(refresh, clock);
    await manager.getAccessToken();
    browser.show();
    browser.online();
    clock.now += 60 * MIN;
    browser.hide();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('dispose() removes the listeners', async () => {
    const browser = stubBrowser();
    const clock = { now: T0 };
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: 'x' }));
    const manager = asleep(refresh, clock);
    await manager.getAccessToken();
    manager.dispose();
    clock.now += 60 * MIN;
    browser.show();
    browser.online();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('without scheduleRefresh, waking up does nothing', async () => {
    const browser = stubBrowser();
    const refresh = vi.fn<RefreshFunction>();
    const manager = new TokenManager({
      refresh,
      now: () => T0 + 60 * MIN,
      storage: memoryStorage({ accessToken: 'evening', expiresAt: T0 }),
    });
    track(manager);
    browser.show();
    browser.online();
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('no silent user switch', () => {
  it("a refresh that returns another user's token ends the session: SESSION_EXPIRED caused by SUBJECT_CHANGED", async () => {
    const alice = await tokenOf('alice', T0 - MIN);
    const mallory = await tokenOf('mallory', T0 + 60 * MIN);
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
    const alice = await tokenOf('alice', T0 - MIN);
    const aliceAgain = await tokenOf('alice', T0 + 60 * MIN);
    const manager = new TokenManager({
      refresh: async () => ({ accessToken: aliceAgain }),
      storage: memoryStorage({ accessToken: alice }),
      now: () => T0,
    });
    track(manager);
    expect(await manager.getAccessToken()).toBe(aliceAgain);
    const bob = await tokenOf('bob', T0 + 60 * MIN);
    await manager.setTokens({ accessToken: bob });
    expect(await manager.getAccessToken()).toBe(bob);
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
    await manager.setTokens({ accessToken: await tokenOf('alice', T0 + 2 * MIN) });
    expect(manager.expiresAt).toBe(T0 + 2 * MIN);
    await manager.logout();
    expect(manager.expiresAt).toBeNull();
  });
});
