import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenManager } from '../../src/token/manager.js';
import { memoryStorage, webStorage } from '../../src/token/storage.js';
import type { RefreshFunction, TokenSet, TokenStorage } from '../../src/token/types.js';
import { errorPlaces, tokensIn } from '../support/leaks.js';
import { httpError, jwt, MapStorage } from '../support/tokens.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('no token in any error message', () => {
  it('scans every error the token core produces', async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    const access = await jwt(Date.now() - 1);
    const fresh = await jwt(Date.now() + 3_600_000);
    const refreshToken = 'secret-refresh-token-value';
    const secrets = [access, fresh, refreshToken, 'secret-refresh-token'];
    const collected: unknown[] = [];
    const catchAll = (promise: Promise<unknown>) =>
      promise.catch((error: unknown) => collected.push(error));
    const make = (refresh: RefreshFunction, storage: TokenStorage, options = {}) => {
      const manager = new TokenManager({ refresh, storage, retry: { attempts: 1 }, ...options });
      manager.on('refreshFailed', (error) => collected.push(error));
      manager.on('logout', (reason) => collected.push(reason));
      return manager;
    };
    const initial = (): TokenSet => ({ accessToken: access, refreshToken });

    // Fatal, transient, invalid result (containing tokens), timeout.
    await catchAll(
      make(async () => Promise.reject(httpError(401)), memoryStorage(initial())).getAccessToken(),
    );
    await catchAll(
      make(async () => Promise.reject(httpError(500)), memoryStorage(initial())).getAccessToken(),
    );
    await catchAll(
      make(
        async () => ({ accessToken: '', refreshToken: fresh }) as TokenSet,
        memoryStorage(initial()),
      ).getAccessToken(),
    );
    await catchAll(
      make(async () => fresh as unknown as TokenSet, memoryStorage(initial())).getAccessToken(),
    );
    const hanging = make(() => new Promise<TokenSet>(() => {}), memoryStorage(initial()), {
      refreshTimeoutMs: 10,
    });
    const timedOut = catchAll(hanging.getAccessToken());
    await vi.advanceTimersByTimeAsync(10);
    await timedOut;

    // Invalid setTokens with tokens inside; storage that fails on every method.
    const signingIn = make(async () => ({ accessToken: fresh }), memoryStorage());
    await catchAll(
      signingIn.setTokens({ accessToken: fresh, expiresAt: 'soon' } as unknown as TokenSet),
    );
    await catchAll(
      signingIn.setTokens({ accessToken: fresh, refreshToken: 7 } as unknown as TokenSet),
    );
    const broken: TokenStorage = {
      load: () => Promise.reject(new Error('load failed')),
      save: () => Promise.reject(new Error('save failed')),
      clear: () => Promise.reject(new Error('clear failed')),
    };
    const overBrokenStorage = make(async () => ({ accessToken: fresh }), broken);
    await catchAll(overBrokenStorage.getAccessToken());
    await catchAll(overBrokenStorage.setTokens({ accessToken: fresh, refreshToken }));
    await catchAll(overBrokenStorage.logout());
    // A stored value with a token that is not a TokenSet.
    const foreign = make(async () => ({ accessToken: fresh }), {
      load: () => ({ access_token: access }) as unknown as TokenSet,
      save() {},
      clear() {},
    });
    await catchAll(foreign.getAccessToken());
    // Logout during a refresh; dispose during a refresh.
    const pending = make(() => new Promise<TokenSet>(() => {}), memoryStorage(initial()));
    const waitingThroughLogout = catchAll(pending.getAccessToken());
    await vi.advanceTimersByTimeAsync(0);
    await pending.logout();
    await waitingThroughLogout;
    const disposed = make(() => new Promise<TokenSet>(() => {}), memoryStorage(initial()));
    const waitingThroughDispose = catchAll(disposed.getAccessToken());
    await vi.advanceTimersByTimeAsync(0);
    disposed.dispose();
    await waitingThroughDispose;
    // Invalid options whose values are tokens.
    for (const options of [
      { refresh: access },
      { refresh: async () => ({ accessToken: 'x' }), crossTab: access },
    ]) {
      try {
        new TokenManager(options as unknown as TokenManager.Options);
      } catch (error) {
        collected.push(error);
      }
    }
    // A corrupt web storage value holding a token is not an error at all.
    const backing = new MapStorage();
    backing.setItem('apollo-token-refresh', `{"accessToken":"${access}"`);
    expect(await webStorage(backing).load()).toBeNull();

    const codes = new Set(collected.map((error) => (error as { code?: string } | undefined)?.code));
    codes.delete(undefined); // logout reasons
    expect(codes).toEqual(
      new Set([
        'SESSION_EXPIRED',
        'REFRESH_FAILED',
        'INVALID_TOKEN_SET',
        'STORAGE_FAILED',
        'INVALID_OPTION',
        'DISPOSED',
      ]),
    );
    expect(collected.length).toBeGreaterThan(15);
    // Messages, names, stacks, own properties and every cause of each error.
    expect(tokensIn(secrets, errorPlaces('error', collected))).toEqual([]);
  });
});
