/**
 * After the session ends (a rejected refresh token, `logout()`, another user's token), nothing
 * calls `refresh` until the app hands new tokens: a `failedToken` from the ended session rejects
 * with `SessionExpiredError` without a call, and `refreshFailed` fires only for calls made.
 */
import { describe, expect, it, vi } from 'vitest';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import type { RefreshFunction, TokenManagerOptions } from '../../src/token/types.js';
import { httpError, jwt } from '../support/tokens.js';

/** A manager signed in with an expired token `old`, counting its events. */
async function signedIn(refresh: RefreshFunction, options: Partial<TokenManagerOptions> = {}) {
  const manager = new TokenManager({ refresh, retry: { attempts: 1 }, ...options });
  const events = { refreshFailed: 0, logout: 0 };
  manager.on('refreshFailed', () => events.refreshFailed++);
  manager.on('logout', () => events.logout++);
  const old = await jwt(Date.now() - 1_000);
  await manager.setTokens({ accessToken: old, refreshToken: 'rt-1' });
  return { manager, events, old };
}

const endings: [string, (manager: TokenManager) => Promise<unknown>][] = [
  ['the refresh token was rejected', (manager) => manager.getAccessToken().catch(() => {})],
  ['logout()', (manager) => manager.logout()],
];

describe('a session that has ended stays ended', () => {
  for (const [ending, end] of endings) {
    it(`${ending}: a later refresh({ failedToken }) makes no call and no refreshFailed`, async () => {
      const refresh = vi.fn<RefreshFunction>(async () => {
        throw httpError(401);
      });
      const { manager, events, old } = await signedIn(refresh);
      await end(manager);
      const callsAtEnd = refresh.mock.calls.length;
      const failedAtEnd = events.refreshFailed;
      const late = await Promise.allSettled(
        Array.from({ length: 9 }, () => manager.refresh({ failedToken: old })),
      );
      expect(
        late.every(
          (result) => result.status === 'rejected' && SessionExpiredError.is(result.reason),
        ),
      ).toBe(true);
      expect(refresh).toHaveBeenCalledTimes(callsAtEnd);
      expect(events.refreshFailed).toBe(failedAtEnd);
      expect(events.logout).toBe(1);
      expect(await manager.getAccessToken()).toBeNull();
      expect(refresh).toHaveBeenCalledTimes(callsAtEnd);
      manager.dispose();
    });
  }

  it("a refresh that returned another user's token: the ended session is not refreshed again", async () => {
    const otherUser = await jwt(Date.now() + 60_000, 'user-2');
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: otherUser }));
    const { manager, old } = await signedIn(refresh);
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(manager.refresh({ failedToken: old })).rejects.toMatchObject({
      code: 'SESSION_EXPIRED',
    });
    expect(refresh).toHaveBeenCalledTimes(1);
    manager.dispose();
  });

  it('restoreSession does not restore a session that ended on this page', async () => {
    const refresh = vi.fn<RefreshFunction>(async () => {
      throw httpError(401);
    });
    const { manager } = await signedIn(refresh, { restoreSession: true });
    await manager.logout();
    expect(await manager.getAccessToken()).toBeNull();
    expect(refresh).not.toHaveBeenCalled();
    manager.dispose();
  });

  it('new tokens from a sign-in start a new session that refreshes again', async () => {
    const fresh = await jwt(Date.now() + 60_000);
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: fresh }));
    const { manager, old } = await signedIn(refresh);
    await manager.logout();
    await manager.setTokens({ accessToken: old, refreshToken: 'rt-2' });
    expect(await manager.refresh({ failedToken: old })).toBe(fresh);
    expect(refresh).toHaveBeenCalledTimes(1);
    manager.dispose();
  });

  it("the app's own refresh() without a failed token still calls refresh (a cookie sign-in)", async () => {
    const fresh = await jwt(Date.now() + 60_000);
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: fresh }));
    const { manager } = await signedIn(refresh);
    await manager.logout();
    expect(await manager.refresh()).toBe(fresh);
    expect(refresh).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: undefined }));
    manager.dispose();
  });
});

describe('a short-lived sign-in token', () => {
  it('is used for the first half of its life, as one from refresh, not refreshed at once', async () => {
    let now = Date.now();
    const refresh = vi.fn<RefreshFunction>(async () => ({ accessToken: await jwt(now + 2_000) }));
    const manager = new TokenManager({ refresh, now: () => now, refreshBeforeExpiryMs: 30_000 });
    // A 2-second token from sign-in, with the default 30-second margin.
    await manager.setTokens({ accessToken: 'short', expiresAt: now + 2_000 });
    now += 19;
    expect(await manager.getAccessToken()).toBe('short');
    now += 900;
    expect(await manager.getAccessToken()).toBe('short');
    expect(refresh).not.toHaveBeenCalled();
    now += 100; // past half its life
    expect(await manager.getAccessToken()).not.toBe('short');
    expect(refresh).toHaveBeenCalledTimes(1);
    manager.dispose();
  });
});
