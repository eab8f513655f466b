/**
 * Wrong input gets a `TokenRefreshError` whose message names what was wrong and what was
 * expected (names of fields, options and events, never values), instead of a raw TypeError from
 * deep inside.
 */
import { describe, expect, it, vi } from 'vitest';
import { createAuthFetch } from '../../src/fetch/create-auth-fetch.js';
import { AuthErrorLink } from '../../src/links/auth-error-link.js';
import { AuthLink } from '../../src/links/auth-link.js';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { ProactiveRefreshLink } from '../../src/links/proactive-refresh-link.js';
import { RefreshFailedError, TokenRefreshError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import type { TokenManagerEvents, TokenSet } from '../../src/token/types.js';
import { createAuthWsClient } from '../../src/ws/client.js';
import { jwt } from '../support/tokens.js';

const invalid = (message: RegExp) =>
  expect.objectContaining({
    name: 'TokenRefreshError',
    code: 'INVALID_OPTION',
    message: expect.stringMatching(message),
  });

describe('wrong input', () => {
  it('an unknown event name: the error lists the events there are', () => {
    const manager = new TokenManager({ refresh: vi.fn() });
    const on = manager.on as (event: string, listener: () => void) => () => void;
    expect(() => on.call(manager, 'refresh', () => {})).toThrow(
      invalid(/unknown event; expected one of status, refreshing, tokens, refreshFailed, logout$/),
    );
    const listener = 'not a function' as unknown as TokenManagerEvents['logout'];
    expect(() => manager.on('logout', listener)).toThrow(invalid(/listener must be a function/));
    manager.dispose();
  });

  it('a link, the ws client or createAuthFetch without a manager says it needs one', () => {
    const missing = undefined as unknown as TokenManager;
    const half = { getAccessToken: async () => null } as unknown as TokenManager;
    expect(() => createTokenRefreshLink(missing)).toThrow(
      invalid(/^AuthLink needs a TokenManager as its first argument, got undefined$/),
    );
    expect(() => new ProactiveRefreshLink(half)).toThrow(
      invalid(
        /^ProactiveRefreshLink needs a TokenManager .* got an object without peekAccessToken\(\)$/,
      ),
    );
    expect(() => new AuthErrorLink(null as unknown as TokenManager)).toThrow(invalid(/got null$/));
    expect(() => new AuthLink(missing)).toThrow(invalid(/^AuthLink needs a TokenManager/));
    expect(() => createAuthFetch(missing)).toThrow(
      invalid(/^createAuthFetch needs a TokenManager/),
    );
    expect(() => createAuthWsClient(missing, { url: 'ws://127.0.0.1:1/graphql' })).toThrow(
      invalid(/^createAuthWsClient needs a TokenManager/),
    );
  });

  it('a refresh answering an OAuth 2.0 token response: the cause names the field and the fix, no value', async () => {
    const accessToken = await jwt(Date.now() + 60_000);
    const manager = new TokenManager({
      refresh: async () =>
        ({
          access_token: accessToken,
          refresh_token: 'rt-2',
          expires_in: 60,
        }) as unknown as TokenSet,
      retry: { attempts: 1 },
    });
    const error = await manager.refresh().catch((caught: unknown) => caught);
    expect(RefreshFailedError.is(error)).toBe(true);
    const cause = (error as RefreshFailedError).cause;
    expect(TokenRefreshError.is(cause) && cause.code).toBe('INVALID_TOKEN_SET');
    const message = (cause as Error).message;
    expect(message).toMatch(
      /^refresh\(\): not a TokenSet: accessToken must be a non-empty string, got none \(an OAuth 2.0 response has access_token/,
    );
    expect(message).toMatch(/oauth2Refresh/);
    // What a developer sees first says why, without a token.
    expect((error as Error).message).toMatch(
      /^Token refresh failed; session kept \(TokenRefreshError: refresh\(\): not a TokenSet: accessToken must be/,
    );
    for (const text of [message, (error as Error).message]) {
      expect(text).not.toContain(accessToken);
      expect(text).not.toContain('rt-2');
    }
    manager.dispose();
  });

  it.each([
    [{ accessToken: '' }, 'accessToken must be a non-empty string, got string'],
    [{ accessToken: 42 }, 'accessToken must be a non-empty string, got number'],
    [{ accessToken: 'a', refreshToken: 7 }, 'refreshToken must be a string or absent, got number'],
    [
      { accessToken: 'a', expiresAt: '2030' },
      'expiresAt must be a finite number or absent, got string',
    ],
    ['eyJ.secret.token', 'expected an object, got string'],
  ])('setTokens(%j) names the field: %s', async (value, problem) => {
    const manager = new TokenManager({ refresh: vi.fn() });
    const error = await manager.setTokens(value as TokenSet).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'INVALID_TOKEN_SET',
      message: `setTokens(): not a TokenSet: ${problem}`,
    });
    manager.dispose();
  });

  it('a refresh failure names its cause in the message, with the session’s tokens redacted', async () => {
    const refreshToken = 'opaque-refresh-token-1234';
    const accessToken = await jwt(Date.now() - 1);
    const manager = new TokenManager({
      refresh: async () => {
        throw new TypeError(
          `Failed to parse URL from /auth/refresh?token=${refreshToken}&at=${accessToken}`,
        );
      },
      retry: { attempts: 1 },
    });
    await manager.setTokens({ accessToken, refreshToken });
    const error = await manager.getAccessToken().catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      'Token refresh failed; session kept (TypeError: Failed to parse URL from /auth/refresh?token=[redacted]&at=[redacted])',
    );
    manager.dispose();
  });
});
