/**
 * `apollo-link-token-refresh` 0.7 on Apollo Client 3, set up as its README shows. Lives in its
 * own folder because its peers (`@apollo/client` ^3) conflict with the root's Apollo Client 4;
 * every bare import below resolves to `bench/legacy/node_modules`.
 */
import { createRequire } from 'node:module';
import type * as Apollo3 from '@apollo/client/core/index.js';
import type * as Context3 from '@apollo/client/link/context/index.js';
import type * as RefreshLink from 'apollo-link-token-refresh';
import { createAppSession } from '../lib/app-session.js';
import type { AppTokens, BenchClient, ClientEnv } from '../lib/types.js';

// The link ships CommonJS that requires '@apollo/client/core': load that same copy, not the ESM one.
const require = createRequire(import.meta.url);
const { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } =
  require('@apollo/client/core') as typeof Apollo3;
const { setContext } = require('@apollo/client/link/context') as typeof Context3;
const { TokenRefreshLink } = require('apollo-link-token-refresh') as typeof RefreshLink;

const Q = gql`
  query Q($n: Int!) {
    echo(n: $n)
  }
`;

interface LegacyError {
  graphQLErrors?: readonly { extensions?: Record<string, unknown> }[];
  networkError?: { name?: string; statusCode?: number } | null;
}

function classify(e: unknown): string {
  const { graphQLErrors, networkError } = (e ?? {}) as LegacyError;
  const code = graphQLErrors?.[0]?.extensions?.code;
  if (code !== undefined) return String(code);
  if (networkError?.statusCode !== undefined) {
    // ServerError is a GraphQL response; anything else with a status came from the refresh call.
    return `${networkError.name === 'ServerError' ? 'HTTP' : 'REFRESH_HTTP'}_${networkError.statusCode}`;
  }
  return networkError?.name ?? (e instanceof Error ? e.name : 'unknown');
}

function wrap(link: Apollo3.ApolloLink, logouts: () => number): BenchClient {
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return {
    query: (n) =>
      client.query({ query: Q, variables: { n }, fetchPolicy: 'no-cache' }).then(
        () => ({ ok: true }),
        (e: unknown) => ({ ok: false, code: classify(e) }),
      ),
    get logouts() {
      return logouts();
    },
    dispose: () => client.stop(),
  };
}

/** Apollo Client 3 with a fixed `authorization` header: the legacy client's S3 baseline. */
export async function apollo3Bare(env: ClientEnv): Promise<BenchClient> {
  const headers = { authorization: `Bearer ${env.tokens.accessToken}` };
  return wrap(new HttpLink({ uri: env.url, fetch: env.fetch, headers }), () => 0);
}

export async function legacyClient(env: ClientEnv): Promise<BenchClient> {
  const session = createAppSession(env.tokens, env.now);
  const refresh = new TokenRefreshLink<AppTokens>({
    // The server answers { accessToken, refreshToken }; keep both (rotation needs the new one).
    accessTokenField: 'tokens',
    isTokenValidOrUndefined: async () =>
      !session.expired() || typeof session.accessToken !== 'string',
    fetchAccessToken: () =>
      fetch(env.refreshUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: session.refreshToken }),
      }),
    handleResponse: (_: unknown, field: string) => async (res: Response) => {
      if (!res.ok) {
        await res.body?.cancel();
        throw Object.assign(new Error(`refresh answered HTTP ${res.status}`), {
          statusCode: res.status,
        });
      }
      return { [field]: await res.json() };
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
  return wrap(ApolloLink.from([refresh, auth, http]), () => session.logouts);
}
