/**
 * legacy: `apollo-link-token-refresh` 0.7 on Apollo Client 3, wired as its README shows, and
 * Apollo Client 3 bare (the header alone) for S3. A package of its own (`npm run bench:install`),
 * as its peers (`@apollo/client` ^3) conflict with the root's Apollo Client 4; compiled apart into
 * `bench/legacy/compiled/`, so that every package below resolves to `bench/legacy/node_modules`.
 */
import { createRequire } from 'node:module';
import type * as Apollo3 from '@apollo/client/core/index.js';
import type * as Context3 from '@apollo/client/link/context/index.js';
import type * as RefreshLink from 'apollo-link-token-refresh';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { AppSession, refreshRefused } from '../clients/app-session.js';
import type { AppTokens, BenchClient, ClientFactory } from '../clients/types.js';

// The link ships CommonJS that requires '@apollo/client/core': load that same copy, not the ESM one.
const require = createRequire(import.meta.url);
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache } =
  require('@apollo/client/core') as typeof Apollo3;
const { setContext } = require('@apollo/client/link/context') as typeof Context3;
const { TokenRefreshLink } = require('apollo-link-token-refresh') as typeof RefreshLink;

function apollo3Client(link: Apollo3.ApolloLink): BenchClient {
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return {
    query: (n) => client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' }),
    logouts: () => 0,
    dispose: () => client.stop(),
  };
}

export const bare: ClientFactory = async (env) => {
  const headers = { authorization: `Bearer ${env.tokens.accessToken}` };
  return apollo3Client(new HttpLink({ uri: env.url, fetch: env.fetch, headers }));
};

export const create: ClientFactory = async (env) => {
  const session = new AppSession(env);
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
  return {
    ...apollo3Client(ApolloLink.from([refresh, auth, http])),
    logouts: () => session.logouts,
  };
};
