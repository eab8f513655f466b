/**
 * legacy: `apollo-link-token-refresh` 0.7 on Apollo Client 3, wired as its README shows. A package
 * of its own (`npm run bench:install`): its peer `@apollo/client` ^3 conflicts with the root's
 * Apollo Client 4. Compiled into `bench/legacy/compiled/`, so every package below resolves to
 * `bench/legacy/node_modules`.
 */
import { createRequire } from 'node:module';
import type * as Apollo3 from '@apollo/client/core/index.js';
import type * as Context3 from '@apollo/client/link/context/index.js';
import type * as RefreshLink from 'apollo-link-token-refresh';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { AppSession, refreshRefused } from '../clients/app-session.js';
import type { AppTokens, ClientFactory } from '../clients/types.js';

// The link ships CommonJS that requires '@apollo/client/core': load that same copy, not the ESM one.
const require = createRequire(import.meta.url);
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache } =
  require('@apollo/client/core') as typeof Apollo3;
const { setContext } = require('@apollo/client/link/context') as typeof Context3;
const { TokenRefreshLink } = require('apollo-link-token-refresh') as typeof RefreshLink;

export const legacy: ClientFactory = async (env) => {
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
  const client = new ApolloClient({
    link: ApolloLink.from([refresh, auth, http]),
    cache: new InMemoryCache(),
  });
  return {
    query: (n) => client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' }),
    logouts: () => session.logouts,
    dispose: () => client.stop(),
  };
};
