/**
 * What the oauth suites share: a fake `Date` (only `Date`: timers and I/O stay real), a real
 * OAuth server per test, and an app session (a `TokenManager` refreshing through
 * `oauth2Refresh`, an `ApolloClient` with `createTokenRefreshLink` in front of `HttpLink`).
 */
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { createTokenRefreshLink } from '../../../src/links/create-token-refresh-link.js';
import { type OAuth2RefreshOptions, oauth2Refresh } from '../../../src/oauth.js';
import type { RefreshFailedError, SessionExpiredError } from '../../../src/shared/errors.js';
import { TokenManager } from '../../../src/token/manager.js';
import type { TokenManagerOptions, TokenSet } from '../../../src/token/types.js';
import { settleAll } from '../harness.js';
import {
  type OAuthServer,
  type OAuthServerOptions,
  PUBLIC_CLIENT_ID,
  startOAuthServer,
} from './oauth-server.js';

/** Where every test's clock starts. */
export const T0 = Date.UTC(2030, 0, 1);

export const ECHO = gql`
  query Echo($n: Int!) {
    echo(n: $n)
  }
`;

/**
 * Fakes `Date` for each test of the file, from `T0`. oidc-provider, jose and the manager read the
 * time through it, so `advanceClock` expires tokens without waiting.
 */
export function useFakeDate(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

export function advanceClock(milliseconds: number): void {
  vi.setSystemTime(Date.now() + milliseconds);
}

/** Starts a server before each test and closes it after; call after `useFakeDate()`. */
export function useOAuthServer(options?: OAuthServerOptions): () => OAuthServer {
  let server: OAuthServer | undefined;
  beforeEach(async () => {
    server = await startOAuthServer(options);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return () => {
    if (!server) throw new Error('no server: useOAuthServer() runs in beforeEach');
    return server;
  };
}

export interface Session {
  manager: TokenManager;
  client: ApolloClient;
  /** Reasons of every `logout` event. */
  logouts: unknown[];
  /** Every `refreshFailed` event's error. */
  refreshFailures: (RefreshFailedError | SessionExpiredError)[];
  /** Every `tokens` event (refreshes, and the sign-in's `setTokens`). */
  tokenEvents: TokenSet[];
  /** One `echo` query; resolves with `value` or rejects with what Apollo delivered. */
  echo(value: number): Promise<number>;
  /** `count` queries at once: how many succeeded and every error. */
  burst(count: number): Promise<{ ok: number; errors: unknown[] }>;
}

export interface SessionOptions {
  /** The first tokens, given with `setTokens` as after a sign-in. */
  tokens: TokenSet;
  /** @default the public client, at the server's token endpoint (unless `issuer` is given) */
  refresh?: Partial<OAuth2RefreshOptions>;
  manager?: Partial<TokenManagerOptions>;
  /** Links between ours and `HttpLink`'s turn: in front of `createTokenRefreshLink`. */
  linksBefore?: ApolloLink[];
}

/** Builds sessions for the running test; each is stopped after it. */
export function useSessions(): (server: OAuthServer, options: SessionOptions) => Promise<Session> {
  const open: Session[] = [];
  afterEach(() => {
    for (const session of open.splice(0)) {
      session.client.stop();
      session.manager.dispose();
    }
  });
  return async (server, options) => {
    const session = await startSession(server, options);
    open.push(session);
    return session;
  };
}

async function startSession(server: OAuthServer, options: SessionOptions): Promise<Session> {
  const manager = new TokenManager({
    refresh: oauth2Refresh({
      // The server's token endpoint, unless the test discovers it from an issuer.
      ...(options.refresh?.issuer === undefined && { tokenEndpoint: server.tokenEndpoint }),
      clientId: PUBLIC_CLIENT_ID,
      now: () => Date.now(),
      ...options.refresh,
    }),
    now: () => Date.now(),
    // One call per refresh, so token endpoint calls count refreshes.
    retry: { attempts: 1 },
    ...options.manager,
  });
  const logouts: unknown[] = [];
  const refreshFailures: (RefreshFailedError | SessionExpiredError)[] = [];
  const tokenEvents: TokenSet[] = [];
  manager.on('logout', (reason) => logouts.push(reason));
  manager.on('refreshFailed', (error) => refreshFailures.push(error));
  manager.on('tokens', (tokens) => tokenEvents.push(tokens));
  await manager.setTokens(options.tokens);
  const client = new ApolloClient({
    link: ApolloLink.from([
      ...(options.linksBefore ?? []),
      createTokenRefreshLink(manager),
      new HttpLink({ uri: server.resource.url }),
    ]),
    cache: new InMemoryCache(),
  });
  const echo = async (value: number) => {
    const { data } = await client.query<{ echo: number }, { n: number }>({
      query: ECHO,
      variables: { n: value },
      fetchPolicy: 'no-cache',
    });
    if (!data) throw new Error('no data');
    return data.echo;
  };
  return {
    manager,
    client,
    logouts,
    refreshFailures,
    tokenEvents,
    echo,
    burst: (count) =>
      settleAll(
        Array.from({ length: count }, (_, n) => echo(n).then((echoed) => expect(echoed).toBe(n))),
      ),
  };
}

/** The error and its causes, outermost first (at most 10 deep: a cycle cannot loop). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && chain.length < 10; ) {
    chain.push(link);
    link = (link as { cause?: unknown } | null)?.cause;
  }
  return chain;
}

/** The refresh token a session holds now (from its last `tokens` event). */
export function currentRefreshToken(session: Session): string {
  const refreshToken = session.tokenEvents.at(-1)?.refreshToken;
  if (!refreshToken) throw new Error('no refresh token');
  return refreshToken;
}
