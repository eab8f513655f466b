/**
 * The refresh timer (`scheduleRefresh`): a background refresh before the token expires, re-armed
 * for each new token, cleared by logout and dispose, and the wake-up refresh when a page becomes
 * visible again or the network comes back.
 */
import { ApolloLink } from '@apollo/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { execute, stubLink } from '../support/stub-link.js';
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
  let issued = 0;
  return vi.fn<RefreshFunction>(async () => ({
    accessToken: `issued-${++issued}`,
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

  it('operations through the links never wait: each is sent at once, with a token outside its expiry window', async () => {
    const refresh = issuer();
    const manager = scheduled({ accessToken: await jwt(T0 + 10 * MIN) }, refresh);
    await manager.getAccessToken();
    const terminating = stubLink();
    const link = ApolloLink.from([createTokenRefreshLink(manager), terminating.link]);
    // Fifty minutes in five-minute steps: five token lifetimes, each refreshed in the background.
    for (let step = 1; step <= 10; step++) {
      await vi.advanceTimersByTimeAsync(5 * MIN);
      expect(manager.status).toBe('authenticated');
      const operation = execute(link, step);
      // Delivered before execute() returned: no queue, no promise, no wait for a token.
      expect(operation.outcome.values).toEqual([{ data: { echo: step } }]);
      expect(operation.outcome.done).toBe(true);
      const sent = terminating.sent.at(-1);
      expect(sent?.token).toBe(manager.peekAccessToken());
      // More than refreshBeforeExpiryMs (one minute) of life left when it was sent.
      expect((manager.expiresAt ?? 0) - Date.now()).toBeGreaterThan(MIN);
    }
    expect(terminating.sent.map((sent) => sent.retry)).toEqual(Array(10).fill(false));
    expect(new Set(terminating.sent.map((sent) => sent.token)).size).toBe(6);
    expect(refresh).toHaveBeenCalledTimes(5);
    manager.dispose();
  });

  it('is cleared by logout and by dispose', async () => {
    const refresh = issuer();
    const loggingOut = scheduled({ accessToken: await jwt(T0 + 10 * MIN) }, refresh);
    await loggingOut.getAccessToken();
    expect(vi.getTimerCount()).toBe(1);
    await loggingOut.logout();
    expect(vi.getTimerCount()).toBe(0);
    const disposed = scheduled({ accessToken: await jwt(T0 + 10 * MIN) }, refresh);
    await disposed.getAccessToken();
    expect(vi.getTimerCount()).toBe(1);
    disposed.dispose();
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
  const open: TokenManager[] = [];
  afterEach(() => {
    for (const manager of open.splice(0)) manager.dispose();
    vi.unstubAllGlobals();
  });

  function asleep(refresh: RefreshFunction, clock: { now: number }) {
    const manager = new TokenManager({
      refresh,
      scheduleRefresh: true,
      refreshBeforeExpiryMs: MIN,
      now: () => clock.now,
      storage: memoryStorage({ accessToken: 'evening', expiresAt: T0 + 10 * MIN }),
    });
    open.push(manager);
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
    open.push(manager);
    browser.show();
    browser.online();
    expect(refresh).not.toHaveBeenCalled();
  });
});
