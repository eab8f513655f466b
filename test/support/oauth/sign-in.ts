/**
 * The client side of a sign-in: the authorization-code flow with PKCE (RFC 7636) run over HTTP
 * against the provider, as a browser would, minus the login page (the server's test interaction
 * signs in whoever `login_hint` names). Ends with the code exchanged at the token endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TokenSet } from '../../../src/token/types.js';

export interface SignInClient {
  clientId: string;
  /** Confidential clients authenticate the code exchange with it, as `clientAuthentication` says. */
  clientSecret?: string;
  /** @default 'basic' */
  clientAuthentication?: 'basic' | 'post';
  redirectUri: string;
}

/** Redirects one sign-in may take: /auth → login → /auth/:uid → consent → /auth/:uid → back. */
const MAX_REDIRECTS = 10;

/** The token answer of the code exchange (RFC 6749 §5.1), as far as the tests read it. */
interface CodeExchangeAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
}

/** Runs the flow for `user`; resolves the first `TokenSet` of the session. */
export async function signInOverHttp(
  issuer: string,
  client: SignInClient,
  user: string,
  scope: string,
): Promise<TokenSet> {
  const verifier = randomBytes(32).toString('base64url');
  const authorization = new URL(`${issuer}/auth`);
  for (const [name, value] of Object.entries({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope,
    // Refresh tokens are issued for offline_access only after consent (OpenID Connect Core §11).
    prompt: 'consent',
    login_hint: user,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorization.searchParams.set(name, value);
  }
  const code = await followToRedirectUri(authorization, client.redirectUri);
  const answer = await exchangeCode(issuer, client, code, verifier);
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = answer;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new Error(`sign-in: the code exchange answered no tokens (${String(answer.error)})`);
  }
  return {
    accessToken,
    refreshToken,
    ...(typeof expiresIn === 'number' && { expiresAt: Date.now() + expiresIn * 1000 }),
  };
}

/** Follows the provider's redirects with a cookie jar; resolves the code sent to the client. */
async function followToRedirectUri(start: URL, redirectUri: string): Promise<string> {
  const cookies = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    keepCookies(cookies, response.headers.getSetCookie());
    await response.arrayBuffer(); // let the connection go back to the pool
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`sign-in: ${url.pathname} answered HTTP ${response.status}, not a redirect`);
    }
    url = new URL(location, url);
    if (url.href.startsWith(redirectUri)) {
      const code = url.searchParams.get('code');
      if (!code) throw new Error(`sign-in: back without a code (${url.searchParams.get('error')})`);
      return code;
    }
  }
  throw new Error(`sign-in: more than ${MAX_REDIRECTS} redirects`);
}

/** A jar without paths: every cookie goes with every request, which the provider tolerates. */
function keepCookies(jar: Map<string, string>, setCookies: string[]): void {
  for (const setCookie of setCookies) {
    const [pair = '', ...attributes] = setCookie.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key, date] = attribute.split('=');
      return key?.trim().toLowerCase() === 'expires' && Date.parse(date ?? '') <= Date.now();
    });
    if (!value || expired) jar.delete(name);
    else jar.set(name, value);
  }
}

async function exchangeCode(
  issuer: string,
  client: SignInClient,
  code: string,
  verifier: string,
): Promise<CodeExchangeAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.redirectUri,
    code_verifier: verifier,
    client_id: client.clientId,
  });
  const { clientSecret, clientAuthentication = 'basic' } = client;
  if (clientSecret !== undefined && clientAuthentication === 'post') {
    form.set('client_secret', clientSecret);
  } else if (clientSecret !== undefined) {
    // The secret is base64url, so form encoding leaves it as it is.
    headers.authorization = `Basic ${btoa(`${client.clientId}:${clientSecret}`)}`;
  }
  const response = await fetch(`${issuer}/token`, { method: 'POST', headers, body: form });
  return (await response.json()) as CodeExchangeAnswer;
}
