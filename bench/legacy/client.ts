/**
 * `apollo-link-token-refresh` 0.7 on Apollo Client 3, wired as its README shows, and Apollo
 * Client 3 bare (the header alone) for S3. Its own package, because its peers (`@apollo/client`
 * ^3) conflict with the root's Apollo Client 4: `npm run bench:install`. Compiled apart into
 * `bench/legacy/compiled/`, so that every package below resolves to `bench/legacy/node_modules`.
 */
import { createRequire } from 'node:module';
import type * as Apollo3 from '@apollo/client/core/index.js';
import type * as Context3 from '@apollo/client/link/context/index.js';
import type * as RefreshLink from 'apollo-link-token-refresh';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { createAppSession, refreshRefused } from '../clients/app-session.js';
import {
  type AppTokens,
  type BenchClient,
  benchClient,
  type ClientEnv,
  failure,
  type Outcome,
} from '../clients/types.js';

// The link ships CommonJS that requires '@apollo/client/core': load that same copy, not the ESM one.
const require = createRequire(import.meta.url);
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache } =
  require('@apollo/client/core') as typeof Apollo3;
const { setContext } = require('@apollo/client/link/context') as typeof Context3;
const { TokenRefreshLink } = require('apollo-link-token-refresh') as typeof RefreshLink;

interface Apollo3Error {
  name?: string;
  graphQLErrors?: readonly { extensions?: Record<string, unknown> }[];
  networkError?: { name?: string; statusCode?: number; code?: unknown } | null;
}

function outcomeOf(error: unknown): Outcome {
  const { name, graphQLErrors, networkError } = (error ?? {}) as Apollo3Error;
  return failure({
    code: networkError?.code,
    graphQLCode: graphQLErrors?.[0]?.extensions?.code,
    status: networkError?.name === 'ServerError' ? networkError.statusCode : undefined,
    name: networkError?.name ?? name,
  });
}

function apollo3Client(link: Apollo3.ApolloLink, logouts: () => number): BenchClient {
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return benchClient({
    query: (n) => client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' }),
    outcomeOf,
    logouts,
    dispose: () => client.stop(),
  });
}

export async function bareApollo3Client(env: ClientEnv): Promise<BenchClient> {
  const headers = { authorization: `Bearer ${env.tokens.accessToken}` };
  return apollo3Client(new HttpLink({ uri: env.url, fetch: env.fetch, headers }), () => 0);
}

export async function legacyClient(env: ClientEnv): Promise<BenchClient> {
  const session = createAppSession(env.tokens, env.now);
  const refresh = new TokenRefreshLink<AppTokens>({
    // The server answers { accessToken, refreshToken }; keep both (rotation needs the new one).
    accessTokenField: 'tokens',
    isTokenValidOrUndefined: async () =>
      !session.expired() || typeof session.accessToken !== 'string',
    fetchAccessToken: () =>
      env.fetch(env.refreshUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: session.refreshToken }),
      }),
    handleResponse: (_: unknown, field: string) => async (response: Response) => {
      if (!response.ok) {
        await response.body?.cancel();
        throw refreshRefused(response.status);
      }
      return { [field]: await response.json() };
    },
    handleFetch: (tokens) => session.set(tokens),
    handleError: () => session.logout(),
  });
  const auth = setContext((_, { headers }) => ({
    headers: {
      ...headers,
      authorization: session.accessToken ? `Bearer ${session.accessToken}` : '',
    },
  }));
  const http = new HttpLink({ uri: env.url, fetch: env.fetch });
  return apollo3Client(ApolloLink.from([refresh, auth, http]), () => session.logouts);
}
