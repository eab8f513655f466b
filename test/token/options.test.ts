import { describe, expect, it } from 'vitest';
import { TokenRefreshError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';

const refresh = async () => ({ accessToken: 'x' });

describe('TokenManager options', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['refresh', { refresh: undefined }, 'got undefined'],
    ['refresh', { refresh: 'https://example.test/refresh' }, 'got string'],
    ['storage', { storage: {} }, 'got object'],
    ['storage', { storage: null }, 'got null'],
    ['refreshBeforeExpiryMs', { refreshBeforeExpiryMs: -1 }, 'got -1'],
    ['refreshBeforeExpiryMs', { refreshBeforeExpiryMs: Number.NaN }, 'got NaN'],
    ['refreshTimeoutMs', { refreshTimeoutMs: 0 }, 'got 0'],
    ['refreshTimeoutMs', { refreshTimeoutMs: Number.POSITIVE_INFINITY }, 'got Infinity'],
    ['refreshTimeoutMs', { refreshTimeoutMs: '100' }, 'got string'],
    ['retry', { retry: null }, 'got null'],
    ['retry.attempts', { retry: { attempts: 0 } }, 'got 0'],
    ['retry.attempts', { retry: { attempts: 1.5 } }, 'got 1.5'],
    ['retry.delayMs', { retry: { delayMs: 100 } }, 'got 100'],
    ['isSessionEnded', { isSessionEnded: true }, 'got true'],
    ['scheduleRefresh', { scheduleRefresh: 'yes' }, 'got string'],
    ['crossTab', { crossTab: { name: '' } }, 'got object'],
    ['crossTab', { crossTab: 'tabs' }, 'got string'],
    ['now', { now: 0 }, 'got 0'],
  ];
  for (const [name, options, got] of cases) {
    it(`rejects an invalid ${name} (${got}) naming the option and the value`, () => {
      let error: unknown;
      try {
        new TokenManager({ refresh, ...options } as unknown as TokenManager.Options);
      } catch (thrown) {
        error = thrown;
      }
      expect(TokenRefreshError.is(error)).toBe(true);
      expect(error).toBeInstanceOf(TokenRefreshError);
      expect((error as TokenRefreshError).code).toBe('INVALID_OPTION');
      expect((error as Error).message).toContain(`Option ${name} must be`);
      expect((error as Error).message).toContain(got);
    });
  }

  it('rejects a missing options object', () => {
    expect(() => new TokenManager(undefined as unknown as TokenManager.Options)).toThrow(
      /Option refresh must be a function/,
    );
  });

  it('accepts valid edge values', () => {
    expect(
      () =>
        new TokenManager({
          refresh,
          refreshBeforeExpiryMs: 0,
          refreshTimeoutMs: 1,
          retry: { attempts: 1, delayMs: () => 0 },
          isSessionEnded: () => false,
          scheduleRefresh: true,
          crossTab: { name: 'app' },
          now: () => 0,
        }),
    ).not.toThrow();
    // crossTab without Web Locks (Node): silently single-tab.
    expect(new TokenManager({ refresh, crossTab: true }).status).toBe('unauthenticated');
  });
});
