import { abortReason } from '../shared/abort.js';
import { RefreshFailedError } from '../shared/errors.js';
import type { RefreshFunction, TokenSet } from '../token/types.js';
import { discoverTokenEndpoint, type TokenEndpointSource } from './discovery.js';
import { type OAuth2RefreshOptions, resolveOAuthOptions } from './options.js';
import { refreshRequest } from './token-request.js';
import { tokenSetFromAnswer } from './token-response.js';

/**
 * A `refresh` function for `TokenManager` that uses an OAuth 2.0 token endpoint (RFC 6749 §6):
 * it posts the refresh token and maps the answer to a `TokenSet` (`access_token`,
 * `refresh_token` when the server rotates it, `expires_in` as `expiresAt`).
 *
 * It rejects with
 * - `SessionExpiredError` when the server refuses the refresh for good (`invalid_grant`, and any
 *   other OAuth error answered with 400, 401 or 403): the manager ends the session;
 * - `RefreshFailedError` when the server or the network fails (5xx, `temporarily_unavailable`,
 *   no answer) or discovery fails: the manager keeps the session and tries again later;
 * - a `TokenRefreshError` coded `INVALID_TOKEN_SET` when a 2xx answer is not a token set (the
 *   message names the field), also kept as transient.
 * The first two carry an `OAuthError` (HTTP status and OAuth `error` code) or the network error
 * as `cause`. No message holds a token or the client secret.
 *
 * @example
 * const manager = new TokenManager({
 *   refresh: oauth2Refresh({ issuer: 'https://id.example.com', clientId: 'web-app' }),
 * });
 * @throws {TokenRefreshError} `INVALID_OPTION` at once when an option is invalid; the message
 * names the option.
 */
export function oauth2Refresh(options: OAuth2RefreshOptions): RefreshFunction {
  const resolved = resolveOAuthOptions(options);
  const { endpoint } = resolved;
  const findTokenEndpoint: TokenEndpointSource =
    'issuer' in endpoint
      ? discoverTokenEndpoint(endpoint.issuer, resolved.fetch)
      : () => endpoint.tokenEndpoint;

  return async ({ refreshToken, signal }): Promise<TokenSet> => {
    // Synchronous when the endpoint is known: the manager calls `refresh` in the same tick as
    // the operations that wait for it, and the request should leave before theirs are built.
    const found = findTokenEndpoint(signal);
    const tokenEndpoint = found instanceof URL ? found : await found;
    const requestedAt = resolved.now();
    // A local binding: `fetch` called as a method of another object throws in browsers.
    const fetchFunction = resolved.fetch();
    let status: number;
    let text: string;
    try {
      const response = await fetchFunction(
        tokenEndpoint,
        refreshRequest(resolved, refreshToken, signal),
      );
      status = response.status;
      text = await response.text();
    } catch (cause) {
      if (signal.aborted) throw abortReason(signal);
      throw new RefreshFailedError('Token endpoint unreachable; session kept', { cause });
    }
    return tokenSetFromAnswer(status, text, requestedAt);
  };
}
