import type { ResolvedOAuthOptions } from './options.js';

/**
 * The refresh request of RFC 6749 §6: a form POST with `grant_type=refresh_token`, the refresh
 * token (left out when the app has none: in cookie flows the server reads it from an httpOnly
 * cookie), `client_id`, the extra `params`, and the client secret as `clientAuthentication`
 * says.
 */
export function refreshRequest(
  options: ResolvedOAuthOptions,
  refreshToken: string | undefined,
  signal: AbortSignal,
): RequestInit {
  const form = new URLSearchParams({ grant_type: 'refresh_token' });
  if (refreshToken) form.set('refresh_token', refreshToken);
  // A public client must identify itself so; a confidential one may (RFC 6749 §3.2.1), which
  // keeps one request shape for both.
  form.set('client_id', options.clientId);
  for (const [name, value] of options.params) form.set(name, value);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  const { clientSecret } = options;
  if (clientSecret !== undefined) {
    if (options.clientAuthentication === 'post') form.set('client_secret', clientSecret);
    else headers.authorization = basicCredentials(options.clientId, clientSecret);
  }
  return {
    method: 'POST',
    headers,
    body: form,
    signal,
    // The body holds the refresh token (and maybe the secret): it goes to the configured
    // endpoint only, never on to wherever a redirect points.
    redirect: 'error',
  };
}

/**
 * RFC 6749 §2.3.1: the client id and secret are each form-urlencoded, joined by a colon, then
 * base64-encoded. Form encoding leaves ASCII only, so `btoa` takes it.
 */
function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

const formEncode = (value: string) => new URLSearchParams({ '': value }).toString().slice(1);
