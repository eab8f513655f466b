import { describe, expect, it, vi } from 'vitest';
import { type OAuth2RefreshOptions, oauth2Refresh } from '../../src/oauth.js';
import { TokenRefreshError } from '../../src/shared/errors.js';

const valid: OAuth2RefreshOptions = {
  tokenEndpoint: 'https://id.example.com/oauth/token',
  clientId: 'web-app',
};

/** The `INVALID_OPTION` error `oauth2Refresh(options)` throws synchronously. */
function invalidOption(options: unknown): TokenRefreshError {
  try {
    oauth2Refresh(options as OAuth2RefreshOptions);
  } catch (error) {
    if (TokenRefreshError.is(error) && error.code === 'INVALID_OPTION') return error;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('oauth2Refresh options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['tokenEndpoint', { tokenEndpoint: undefined }],
    ['tokenEndpoint', { tokenEndpoint: 'not a url' }],
    ['tokenEndpoint', { tokenEndpoint: '/oauth/token' }],
    ['tokenEndpoint', { tokenEndpoint: 'ftp://id.example.com/token' }],
    ['tokenEndpoint', { tokenEndpoint: 42 }],
    ['tokenEndpoint', { issuer: 'https://id.example.com' }],
    ['issuer', { tokenEndpoint: undefined, issuer: 'http://id.example.com' }],
    ['issuer', { tokenEndpoint: undefined, issuer: 'https://id.example.com/?tenant=1' }],
    ['issuer', { tokenEndpoint: undefined, issuer: 'https://id.example.com/#top' }],
    ['issuer', { tokenEndpoint: undefined, issuer: 'nonsense' }],
    ['clientId', { clientId: undefined }],
    ['clientId', { clientId: '' }],
    ['clientId', { clientId: 7 }],
    ['clientSecret', { clientSecret: '' }],
    ['clientSecret', { clientSecret: 123 }],
    ['clientAuthentication', { clientAuthentication: 'header' }],
    ['params', { params: 'scope=openid' }],
    ['params', { params: null }],
    ['params.scope', { params: { scope: ['openid'] } }],
    ['params.grant_type', { params: { grant_type: 'password' } }],
    ['params.refresh_token', { params: { refresh_token: 'r' } }],
    ['params.client_id', { params: { client_id: 'other' } }],
    ['params.client_secret', { params: { client_secret: 's' } }],
    ['fetch', { fetch: 'fetch' }],
    ['now', { now: 1_000 }],
  ])('names %s when it is wrong (%j)', (option, change) => {
    const error = invalidOption({ ...valid, ...change });
    expect(error.message).toMatch(new RegExp(`^Option ${option.replace('.', '\\.')} must be `));
  });

  it('names options, never shows a string value', () => {
    const secretLooking = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln';
    for (const options of [
      { ...valid, tokenEndpoint: secretLooking },
      { ...valid, clientSecret: 123, clientId: secretLooking },
      { ...valid, params: { scope: 5, audience: secretLooking } },
      { ...valid, clientAuthentication: secretLooking },
    ]) {
      const error = invalidOption(options);
      expect(String(error)).not.toContain(secretLooking);
    }
    expect(invalidOption(null).message).toBe('Option options must be an object, got null');
  });

  it('accepts both forms of each URL and makes no request at construction', () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    expect(typeof oauth2Refresh({ ...valid, fetch })).toBe('function');
    expect(
      typeof oauth2Refresh({
        tokenEndpoint: new URL('http://127.0.0.1:8080/token'),
        clientId: 'web-app',
        clientSecret: 'secret',
        clientAuthentication: 'post',
        params: { scope: 'openid offline_access', resource: 'https://api.example.com' },
        fetch,
        now: () => 0,
      }),
    ).toBe('function');
    for (const issuer of [
      'https://id.example.com',
      'https://id.example.com/realms/app/',
      new URL('http://localhost:3000'),
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
    ]) {
      expect(typeof oauth2Refresh({ issuer, clientId: 'web-app', fetch })).toBe('function');
    }
    expect(fetch).not.toHaveBeenCalled();
  });
});
