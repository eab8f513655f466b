/**
 * What oauth2Refresh sends and how it reads answers a provider would rarely give on demand
 * (oidc-provider always rotates, always answers expires_in): a recording `fetch` stands in for
 * the server. The suites beside this one run against the real provider.
 */
import { describe, expect, it, vi } from 'vitest';
import { type OAuth2RefreshOptions, OAuthError, oauth2Refresh } from '../../src/oauth.js';
import {
  RefreshFailedError,
  SessionExpiredError,
  TokenRefreshError,
} from '../../src/shared/errors.js';
import { isSessionEndedByDefault } from '../../src/token/options.js';
import type { TokenSet } from '../../src/token/types.js';

const ENDPOINT = 'https://id.example.com/oauth/token';
const NOW = 1_900_000_000_000;

/** A `fetch` that records each request and answers `status` with `body` (JSON unless a string). */
function answering(status: number, body: unknown) {
  return vi.fn<typeof fetch>(async () => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'content-type': 'application/json' } });
  });
}

function refreshWith(fetch: typeof globalThis.fetch, options: Partial<OAuth2RefreshOptions> = {}) {
  return oauth2Refresh({
    tokenEndpoint: ENDPOINT,
    clientId: 'web-app',
    fetch,
    now: () => NOW,
    ...options,
  });
}

const call = (refresh: ReturnType<typeof oauth2Refresh>, refreshToken: string | undefined = 'r1') =>
  refresh({ refreshToken, signal: new AbortController().signal });

/** The request the recording fetch saw: URL, init, and the form as entries. */
function sent(fetch: ReturnType<typeof answering>) {
  const [url, init] = fetch.mock.calls[0] ?? [];
  const headers = (init?.headers ?? {}) as Record<string, string>;
  return {
    url: String(url),
    init,
    headers,
    form: Object.fromEntries(init?.body as URLSearchParams),
  };
}

describe('the refresh request', () => {
  it('a public client: a form POST with grant_type, refresh_token, client_id and params, the signal, no redirects', async () => {
    const fetch = answering(200, { access_token: 'a2', token_type: 'Bearer' });
    const controller = new AbortController();
    const refresh = refreshWith(fetch, {
      params: { scope: 'openid offline_access', resource: 'https://api' },
    });
    await refresh({ refreshToken: 'r1', signal: controller.signal });
    const { url, init, headers, form } = sent(fetch);
    expect(url).toBe(ENDPOINT);
    expect(init?.method).toBe('POST');
    expect(init?.signal).toBe(controller.signal);
    expect(init?.redirect).toBe('error');
    expect(headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r1',
      client_id: 'web-app',
      scope: 'openid offline_access',
      resource: 'https://api',
    });
  });

  it('cookie flows: no refresh_token field when the manager has none', async () => {
    const fetch = answering(200, { access_token: 'a2' });
    await refreshWith(fetch)({ refreshToken: undefined, signal: new AbortController().signal });
    expect(sent(fetch).form).toEqual({ grant_type: 'refresh_token', client_id: 'web-app' });
  });

  it('HTTP Basic: id and secret each form-urlencoded (RFC 6749 §2.3.1), then base64', async () => {
    const fetch = answering(200, { access_token: 'a2' });
    await call(refreshWith(fetch, { clientId: 'app one:x', clientSecret: 'p@ss w/rd:+é' }));
    const { headers, form } = sent(fetch);
    const encoded = 'app+one%3Ax:p%40ss+w%2Frd%3A%2B%C3%A9';
    expect(headers.authorization).toBe(`Basic ${Buffer.from(encoded).toString('base64')}`);
    expect(form.client_secret).toBeUndefined();
    expect(form.client_id).toBe('app one:x');
  });

  it("clientAuthentication 'post': the secret as a form field, no authorization header", async () => {
    const fetch = answering(200, { access_token: 'a2' });
    await call(refreshWith(fetch, { clientSecret: 's3cret', clientAuthentication: 'post' }));
    const { headers, form } = sent(fetch);
    expect(headers.authorization).toBeUndefined();
    expect(form.client_secret).toBe('s3cret');
  });

  it('calls fetch unbound, as browsers require of window.fetch, and at once when the endpoint is known', () => {
    let receiver: unknown = 'not called';
    const fetch = vi.fn(function (this: unknown) {
      receiver = this;
      return new Promise<Response>(() => {});
    }) as unknown as typeof globalThis.fetch;
    call(refreshWith(fetch));
    expect(receiver).toBeUndefined();
  });
});

describe('reading a 2xx answer', () => {
  it.each<[string, unknown, TokenSet]>([
    [
      'all fields',
      { access_token: 'a2', refresh_token: 'r2', expires_in: 300, token_type: 'Bearer' },
      { accessToken: 'a2', refreshToken: 'r2', expiresAt: NOW + 300_000 },
    ],
    [
      'no refresh_token: the manager keeps the current one',
      { access_token: 'a2', expires_in: 60 },
      { accessToken: 'a2', expiresAt: NOW + 60_000 },
    ],
    [
      'refresh_token null, as some servers write "none"',
      { access_token: 'a2', refresh_token: null },
      { accessToken: 'a2' },
    ],
    [
      'no expires_in: the manager reads the JWT',
      { access_token: 'a2', refresh_token: 'r2' },
      { accessToken: 'a2', refreshToken: 'r2' },
    ],
    [
      'expires_in as a numeric string',
      { access_token: 'a2', expires_in: '3599' },
      { accessToken: 'a2', expiresAt: NOW + 3_599_000 },
    ],
    [
      'token_type of another case or scheme is not checked',
      { access_token: 'a2', token_type: 'bearer' },
      { accessToken: 'a2' },
    ],
  ])('%s', async (_, body, expected) => {
    const tokens = await call(refreshWith(answering(200, body)));
    expect(tokens).toStrictEqual(expected);
  });

  it('expires_in counts from when the request left, on the injected clock', async () => {
    let now = NOW;
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      now += 5_000; // the answer takes 5 s
      return new Response(JSON.stringify({ access_token: 'a2', expires_in: 60 }));
    });
    const tokens = await call(refreshWith(fetch, { now: () => now }));
    expect(tokens.expiresAt).toBe(NOW + 60_000);
  });

  it.each<[string, string | object, string]>([
    ['not JSON', '<html>ok</html>', 'the answer is not a JSON object'],
    ['a JSON array', [{ access_token: 'a2' }], 'the answer is not a JSON object'],
    ['no access_token', { token_type: 'Bearer', expires_in: 60 }, 'access_token is missing'],
    ['an empty access_token', { access_token: '' }, 'access_token is not a non-empty string'],
    ['a numeric access_token', { access_token: 12345 }, 'access_token is not a non-empty string'],
    [
      'an empty refresh_token',
      { access_token: 'a2', refresh_token: '' },
      'refresh_token is not a non-empty string',
    ],
    [
      'a negative expires_in',
      { access_token: 'a2', expires_in: -1 },
      'expires_in is not a number of seconds',
    ],
    [
      'expires_in as words',
      { access_token: 'a2', expires_in: 'soon' },
      'expires_in is not a number of seconds',
    ],
  ])('%s: INVALID_TOKEN_SET naming the field, never a value', async (_, body, problem) => {
    const error = await call(refreshWith(answering(200, body))).catch((error: unknown) => error);
    expect(TokenRefreshError.is(error) && error.code).toBe('INVALID_TOKEN_SET');
    expect((error as Error).message).toBe(`Token endpoint answer: ${problem}`);
    // Transient for the manager: it keeps the session and tries again.
    expect(isSessionEndedByDefault(error)).toBe(false);
  });
});

describe('reading an error answer', () => {
  it.each<[number, unknown, 'ends the session' | 'transient', string | undefined]>([
    [
      400,
      { error: 'invalid_grant', error_description: 'grant request is invalid' },
      'ends the session',
      'invalid_grant',
    ],
    [401, { error: 'invalid_client' }, 'ends the session', 'invalid_client'],
    [400, { error: 'invalid_request' }, 'ends the session', 'invalid_request'],
    [400, { error: 'unauthorized_client' }, 'ends the session', 'unauthorized_client'],
    [400, { error: 'unsupported_grant_type' }, 'ends the session', 'unsupported_grant_type'],
    [400, { error: 'invalid_scope' }, 'ends the session', 'invalid_scope'],
    [403, '<html>Forbidden</html>', 'ends the session', undefined],
    [401, '', 'ends the session', undefined],
    [400, { error: 'temporarily_unavailable' }, 'transient', 'temporarily_unavailable'],
    [503, { error: 'temporarily_unavailable' }, 'transient', 'temporarily_unavailable'],
    [400, { error: 'server_error' }, 'transient', 'server_error'],
    [500, { error: 'invalid_grant' }, 'transient', 'invalid_grant'],
    [502, '<html>Bad Gateway</html>', 'transient', undefined],
    [429, { error: 'slow_down' }, 'transient', 'slow_down'],
    [404, 'Not Found', 'transient', undefined],
  ])('HTTP %i %j: %s', async (status, body, verdict, code) => {
    const error = await call(refreshWith(answering(status, body))).catch((error: unknown) => error);
    expect(SessionExpiredError.is(error)).toBe(verdict === 'ends the session');
    expect(RefreshFailedError.is(error)).toBe(verdict === 'transient');
    expect(isSessionEndedByDefault(error)).toBe(verdict === 'ends the session');
    const cause = (error as Error).cause;
    expect(OAuthError.is(cause)).toBe(true);
    expect(cause).toMatchObject({ name: 'OAuthError', status, error: code });
    // The description is server text: never repeated.
    expect(String(error)).not.toContain('grant request is invalid');
    expect(String(cause)).not.toContain('grant request is invalid');
  });

  it('an error code that is not a plain lowercase word is neither repeated nor kept', async () => {
    const echoed = 'eyJhbGciOiJIUzI1NiJ9.payload.signature';
    const error = await call(refreshWith(answering(400, { error: echoed }))).catch(
      (error: unknown) => error,
    );
    expect(SessionExpiredError.is(error)).toBe(true);
    expect((error as Error).cause).toMatchObject({ status: 400, error: undefined });
    expect(String(error)).toBe(
      'SessionExpiredError: Token endpoint rejected the refresh: HTTP 400; sign in again',
    );
    expect(String((error as Error).cause)).toBe('OAuthError: Token endpoint answered HTTP 400');
  });

  it('a fetch that rejects: RefreshFailedError with the network error as cause', async () => {
    const networkError = new TypeError('fetch failed');
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw networkError;
    });
    const error = await call(refreshWith(fetch)).catch((error: unknown) => error);
    expect(RefreshFailedError.is(error)).toBe(true);
    expect((error as Error).cause).toBe(networkError);
  });

  it('an aborted refresh rejects with the abort reason, not a network error', async () => {
    const controller = new AbortController();
    const fetch = vi.fn<typeof globalThis.fetch>(
      (_, init) =>
        new Promise((_, reject) => {
          init?.signal?.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          );
        }),
    );
    const pending = refreshWith(fetch)({ refreshToken: 'r1', signal: controller.signal });
    const reason = new Error('Refresh timed out');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
