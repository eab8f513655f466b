import { abortReason } from '../shared/abort.js';
import { RefreshFailedError, TokenRefreshError } from '../shared/errors.js';
import { OAuthError } from './oauth-error.js';
import { isHttpsOrLoopback, parseHttpUrl, withoutTrailingSlash } from './url.js';

/** The token endpoint: known at once, or a discovery every caller shares. */
export type TokenEndpointSource = (signal: AbortSignal) => URL | Promise<URL>;

/**
 * OpenID Connect Discovery of the token endpoint, lazily: nothing happens until the first
 * refresh asks. Concurrent callers share one request; the endpoint found is kept (and returned
 * synchronously from then on); a failure is not kept, so the next refresh tries again. The
 * request uses the signal of the refresh that started it: when that refresh is aborted, its
 * joiners fail transiently too, and the next refresh starts afresh.
 */
export function discoverTokenEndpoint(
  issuer: URL,
  getFetch: () => typeof fetch,
): TokenEndpointSource {
  let found: URL | undefined;
  let pending: Promise<URL> | undefined;
  return (signal) => {
    if (found) return found;
    pending ??= readTokenEndpoint(issuer, getFetch(), signal).then(
      (url) => {
        found = url;
        pending = undefined;
        return url;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

/** Fetches and checks `${issuer}/.well-known/openid-configuration`; resolves its token endpoint. */
async function readTokenEndpoint(
  issuer: URL,
  fetchFunction: typeof fetch,
  signal: AbortSignal,
): Promise<URL> {
  const configured = withoutTrailingSlash(issuer.href);
  let document: unknown;
  try {
    const response = await fetchFunction(`${configured}/.well-known/openid-configuration`, {
      headers: { accept: 'application/json' },
      signal,
    });
    if (!response.ok) {
      throw new OAuthError(
        `OpenID configuration answered HTTP ${response.status}`,
        response.status,
        undefined,
      );
    }
    document = await response.json();
  } catch (cause) {
    if (signal.aborted) throw abortReason(signal);
    throw new RefreshFailedError('OpenID discovery of the token endpoint failed; session kept', {
      cause,
    });
  }
  const { issuer: named, token_endpoint: tokenEndpoint } = (document ?? {}) as Record<
    string,
    unknown
  >;
  if (typeof named !== 'string' || withoutTrailingSlash(named) !== configured) {
    throw misconfigured('its issuer is not the configured issuer');
  }
  const url = parseHttpUrl(tokenEndpoint);
  if (!url || !isHttpsOrLoopback(url)) {
    throw misconfigured('its token_endpoint is not an https URL (http only on a loopback host)');
  }
  return url;
}

/**
 * The document does not fit the `issuer` option: retrying will not help, but the session is not
 * the user's fault, so the manager treats it as transient and keeps it.
 */
const misconfigured = (problem: string) =>
  new TokenRefreshError(
    'INVALID_OPTION',
    `Option issuer: the OpenID configuration found there is unusable: ${problem}`,
  );
