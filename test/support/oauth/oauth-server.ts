/**
 * A real OAuth 2.0 / OpenID Connect server for the tests: oidc-provider 9 on 127.0.0.1, in this
 * process (it reads the time through `Date.now()`, so `vi.setSystemTime` moves its clock),
 * beside a GraphQL resource server that accepts its JWT access tokens.
 *
 * - Clients: a public one (`token_endpoint_auth_method: none`, PKCE required) and a
 *   confidential one (`client_secret_basic`), both allowed `authorization_code` and
 *   `refresh_token`.
 * - Access tokens are JWTs for one resource (the GraphQL URL), through the resource indicators
 *   feature (RFC 8707): oidc-provider issues opaque ones otherwise.
 * - Refresh tokens rotate at every use; presenting a used one fails with `invalid_grant` and
 *   revokes the whole grant (oidc-provider's reuse detection). The revocation endpoint
 *   (RFC 7009) is on; revoking a refresh token revokes its grant.
 * - `signIn(user)` runs the authorization-code flow with PKCE over HTTP; a test interaction
 *   (oidc-provider's interaction API, no login page) signs in `login_hint` and grants every
 *   scope asked for.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type ClientMetadata, errors } from 'oidc-provider';
import type { TokenSet } from '../../../src/token/types.js';
import { listen, shut } from '../http-server.js';
import { memoryAdapter } from './memory-adapter.js';
import { listenResourceServer, type ResourceServer } from './resource-server.js';
import { type SignInClient, signInOverHttp } from './sign-in.js';
import {
  type TokenEndpointCall,
  type TokenEndpointFault,
  watchTokenEndpoint,
} from './token-endpoint-watch.js';

export const PUBLIC_CLIENT_ID = 'web-app';
/** Confidential, registered with `client_secret_basic`. */
export const CONFIDENTIAL_CLIENT_ID = 'server-app';
/** Confidential, registered with `client_secret_post`. */
export const POST_CLIENT_ID = 'server-app-post';
/** Scope of the GraphQL resource; `offline_access` gets a refresh token. */
const SCOPE = 'openid offline_access graphql';
const REFRESH_TOKEN_LIFETIME_SECONDS = 14 * 24 * 3600;

export interface OAuthServerOptions {
  /** Lifetime of the JWT access tokens, in seconds. @default 300 */
  accessTokenLifetimeSeconds?: number;
}

export interface OAuthServer {
  /** The issuer, without a trailing slash: `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** The confidential clients' secret (random per server). */
  readonly clientSecret: string;
  /** The GraphQL resource server; its URL is the access tokens' audience. */
  readonly resource: ResourceServer;
  /** Every token endpoint call, in order. */
  readonly tokenCalls: readonly TokenEndpointCall[];
  /** Token endpoint calls of one grant type (`refresh_token`, `authorization_code`). */
  callsOf(grantType: string): TokenEndpointCall[];
  /** Answers the next `count` token endpoint calls with `fault` instead of the provider. */
  failNext(count: number, fault: TokenEndpointFault): void;
  /** Signs `user` in through the public client (or `clientId`); the session's first tokens. */
  signIn(user: string, clientId?: string): Promise<TokenSet>;
  /**
   * Revokes a refresh token of the public client, and so its whole grant, through the
   * revocation endpoint (RFC 7009), as an administrator's tool or a sign-out elsewhere would.
   */
  revokeGrant(refreshToken: string): Promise<void>;
  /** Closes the provider and the resource server, with every connection they hold. */
  close(): Promise<void>;
}

export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const { accessTokenLifetimeSeconds = 300 } = options;
  const resourceHttp = await listenResourceServer();
  const http = createServer();
  let provider: Provider;
  try {
    const port = await listen(http);
    const issuer = `http://127.0.0.1:${port}`;
    const redirectUri = `${issuer}/callback`;
    const clientSecret = randomBytes(24).toString('base64url');
    provider = createProvider({
      issuer,
      redirectUri,
      clientSecret,
      resourceUrl: resourceHttp.url,
      accessTokenLifetimeSeconds,
    });
    const watch = watchTokenEndpoint('/token');
    provider.use(watch.middleware);
    provider.use(testInteraction(provider));
    http.on('request', provider.callback());
    const resource = resourceHttp.serve(issuer);
    const clients: Record<string, Omit<SignInClient, 'redirectUri'>> = {
      [PUBLIC_CLIENT_ID]: { clientId: PUBLIC_CLIENT_ID },
      [CONFIDENTIAL_CLIENT_ID]: { clientId: CONFIDENTIAL_CLIENT_ID, clientSecret },
      [POST_CLIENT_ID]: { clientId: POST_CLIENT_ID, clientSecret, clientAuthentication: 'post' },
    };
    const clientFor = (clientId: string) => {
      const client = clients[clientId];
      if (!client) throw new Error(`no client ${clientId}`);
      return client;
    };

    return {
      issuer,
      tokenEndpoint: `${issuer}/token`,
      clientSecret,
      resource,
      tokenCalls: watch.calls,
      callsOf: (grantType) => watch.calls.filter((call) => call.grantType === grantType),
      failNext: watch.failNext,
      signIn: (user, clientId = PUBLIC_CLIENT_ID) =>
        signInOverHttp(issuer, { ...clientFor(clientId), redirectUri }, user, SCOPE),
      async revokeGrant(refreshToken) {
        const response = await fetch(`${issuer}/token/revocation`, {
          method: 'POST',
          body: new URLSearchParams({
            token: refreshToken,
            token_type_hint: 'refresh_token',
            client_id: PUBLIC_CLIENT_ID,
          }),
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`revocation: HTTP ${response.status}`);
      },
      async close() {
        await Promise.all([shut(http), resourceHttp.close()]);
      },
    };
  } catch (error) {
    await Promise.all([shut(http), resourceHttp.close()]);
    throw error;
  }
}

interface ProviderSetup {
  issuer: string;
  redirectUri: string;
  clientSecret: string;
  resourceUrl: string;
  accessTokenLifetimeSeconds: number;
}

function createProvider(setup: ProviderSetup): Provider {
  const { issuer, redirectUri, clientSecret, resourceUrl, accessTokenLifetimeSeconds } = setup;
  const client: Omit<ClientMetadata, 'client_id'> = {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [redirectUri],
  };
  return new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      { ...client, client_id: PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none' },
      {
        ...client,
        client_id: CONFIDENTIAL_CLIENT_ID,
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        ...client,
        client_id: POST_CLIENT_ID,
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_context, accountId) => ({
      accountId,
      claims: () => ({ sub: accountId }),
    }),
    scopes: ['openid', 'offline_access', 'graphql'],
    pkce: { required: () => true },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTokenLifetimeSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: REFRESH_TOKEN_LIFETIME_SECONDS,
      Grant: REFRESH_TOKEN_LIFETIME_SECONDS,
      RefreshToken: REFRESH_TOKEN_LIFETIME_SECONDS,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: (_context, caller, token) => token.clientId === caller.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resourceUrl,
        // A refresh without `resource` gets a token for the resource granted at sign-in.
        useGrantedResource: () => true,
        getResourceServerInfo: (_context, indicator) => {
          if (indicator !== resourceUrl) throw new errors.InvalidTarget();
          return {
            scope: 'graphql',
            audience: resourceUrl,
            accessTokenTTL: accessTokenLifetimeSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    interactions: { url: (_context, interaction) => `/interaction/${interaction.uid}` },
  });
}

/**
 * The test interaction: `/interaction/:uid` signs in the user `login_hint` names, then grants
 * every scope the client asked for, without a page.
 */
function testInteraction(provider: Provider): Parameters<Provider['use']>[0] {
  return async (context, next) => {
    if (!context.path.startsWith('/interaction/')) return next();
    const { req: request, res: response } = context;
    const details = await provider.interactionDetails(request, response);
    const { prompt, params, session } = details;
    let result: Parameters<Provider['interactionResult']>[2];
    if (prompt.name === 'login') {
      result = { login: { accountId: String(params.login_hint) } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
      if (!grant) throw new Error('interaction: grant not found');
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    }
    const returnTo = await provider.interactionResult(request, response, result, {
      mergeWithLastSubmission: true,
    });
    context.status = 303;
    context.redirect(returnTo);
  };
}

/** One RS256 key for the whole test run: generating RSA keys is slow. */
const signingKey = await (async () => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
})();
