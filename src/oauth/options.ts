import { check, isFunction } from '../shared/check.js';
import { isHttpsOrLoopback, parseHttpUrl } from './url.js';

/**
 * How a confidential client sends its secret (RFC 6749 §2.3.1): `basic` in an HTTP Basic
 * `authorization` header (`client_secret_basic`), `post` as a `client_secret` form field
 * (`client_secret_post`).
 */
export type ClientAuthentication = 'basic' | 'post';

/** Options of {@link oauth2Refresh}. */
export interface OAuth2RefreshOptions {
  /**
   * The token endpoint, an absolute http or https URL. Give this or `issuer`, not both.
   * @default none: found through `issuer`
   */
  tokenEndpoint?: string | URL;
  /**
   * The OpenID Connect issuer: its token endpoint is read from
   * `${issuer}/.well-known/openid-configuration` at the first refresh (never at construction,
   * so server-side rendering and tests build this without network), once, and shared by
   * concurrent refreshes; a failed read is tried again at the next refresh. The document's
   * `issuer` must be this one (trailing slashes aside), and its `token_endpoint` an https URL
   * (plain http only on 127.0.0.1, localhost or [::1]). The issuer itself must be https too,
   * with the same loopback exception.
   * @default none: give `tokenEndpoint`
   */
  issuer?: string | URL;
  /** The client's `client_id`, sent as a form field with every refresh. Required. */
  clientId: string;
  /**
   * The client secret, for confidential clients only (a server-side app): code that runs in a
   * browser cannot keep a secret. Sent as `clientAuthentication` says; never in a message.
   * @default none: a public client
   */
  clientSecret?: string;
  /**
   * How `clientSecret` is sent. `basic` (the method every RFC 6749 server must support)
   * form-encodes the id and the secret, then base64-encodes them into an `authorization` header;
   * `post` sends `client_secret` as a form field, for a client registered with
   * `client_secret_post`, or a server that does not form-decode Basic credentials.
   * @default 'basic'
   */
  clientAuthentication?: ClientAuthentication;
  /**
   * Extra form fields sent with every refresh: `scope`, `resource`, `audience`… They cannot
   * replace the fields this function sets (`grant_type`, `refresh_token`, `client_id`,
   * `client_secret`).
   * @default {}
   */
  params?: Record<string, string>;
  /**
   * The `fetch` used for the token endpoint and discovery. Wrap it to add what your provider
   * needs, such as `credentials: 'include'` for a refresh token kept in a cross-site cookie.
   * @default globalThis.fetch, read at each call
   */
  fetch?: typeof fetch;
  /**
   * The clock that turns `expires_in` into `expiresAt`, in epoch milliseconds: pass the
   * `TokenManager`'s `now` when you inject one.
   * @default Date.now
   */
  now?: () => number;
}

/** Form fields this function writes itself: `params` cannot override them. */
const RESERVED_FIELDS = new Set(['grant_type', 'refresh_token', 'client_id', 'client_secret']);

/** `OAuth2RefreshOptions` checked, copied and with every default applied. */
export interface ResolvedOAuthOptions {
  /** Where refreshes go: a known URL, or an issuer to discover it from. */
  endpoint: { tokenEndpoint: URL } | { issuer: URL };
  clientId: string;
  clientSecret: string | undefined;
  clientAuthentication: ClientAuthentication;
  params: readonly (readonly [name: string, value: string])[];
  fetch: () => typeof fetch;
  now: () => number;
}

/**
 * Validates every option up front and copies what could change later (`params`, URLs).
 * @throws {TokenRefreshError} `INVALID_OPTION` naming the option; a string value is never shown.
 */
export function resolveOAuthOptions(options: OAuth2RefreshOptions): ResolvedOAuthOptions {
  check(options !== null && typeof options === 'object', 'options', 'an object', options);
  const {
    tokenEndpoint,
    issuer,
    clientId,
    clientSecret,
    clientAuthentication = 'basic',
    params = {},
    fetch: fetchOption,
    now = () => Date.now(),
  } = options;
  check(
    tokenEndpoint === undefined || issuer === undefined,
    'tokenEndpoint',
    'left out when issuer is given',
    tokenEndpoint,
  );
  let endpoint: ResolvedOAuthOptions['endpoint'];
  if (issuer === undefined) {
    const url = parseHttpUrl(tokenEndpoint);
    check(url, 'tokenEndpoint', 'an absolute http or https URL (or give issuer)', tokenEndpoint);
    endpoint = { tokenEndpoint: url as URL };
  } else {
    const url = parseHttpUrl(issuer);
    check(
      url && isHttpsOrLoopback(url) && !url.search && !url.hash,
      'issuer',
      'an https URL without query or fragment (http only on a loopback host)',
      issuer,
    );
    endpoint = { issuer: url as URL };
  }
  check(
    typeof clientId === 'string' && clientId !== '',
    'clientId',
    'a non-empty string',
    clientId,
  );
  check(
    clientSecret === undefined || (typeof clientSecret === 'string' && clientSecret !== ''),
    'clientSecret',
    'a non-empty string',
    clientSecret,
  );
  check(
    clientAuthentication === 'basic' || clientAuthentication === 'post',
    'clientAuthentication',
    "'basic' or 'post'",
    clientAuthentication,
  );
  check(params !== null && typeof params === 'object', 'params', 'an object', params);
  const fields = Object.entries(params as Record<string, unknown>).map(([name, value]) => {
    check(!RESERVED_FIELDS.has(name), `params.${name}`, 'left out (oauth2Refresh sets it)', value);
    check(typeof value === 'string', `params.${name}`, 'a string', value);
    return [name, value as string] as const;
  });
  check(fetchOption === undefined || isFunction(fetchOption), 'fetch', 'a function', fetchOption);
  check(isFunction(now), 'now', 'a function', now);
  return {
    endpoint,
    clientId,
    clientSecret,
    clientAuthentication,
    params: fields,
    // Read at each call: a test or polyfill may install `fetch` after construction.
    fetch: () => fetchOption ?? globalThis.fetch,
    now,
  };
}
