/** Apollo Client 4 as the bench drives every client on it, and bare: S3's baseline. */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import type { BenchClient, ClientEnv, ClientFactory } from './types.js';

/** `link` goes before `HttpLink`; `headers` are fixed headers of `HttpLink` (the bare client's). */
export function apolloClient(
  env: ClientEnv,
  { link, headers }: { link?: ApolloLink; headers?: Record<string, string> },
): BenchClient {
  const http = new HttpLink({ uri: env.url, fetch: env.fetch, ...(headers && { headers }) });
  const client = new ApolloClient({
    link: link ? ApolloLink.from([link, http]) : http,
    cache: new InMemoryCache(),
  });
  return {
    query: (n) => client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' }),
    logouts: () => 0,
    dispose: () => client.stop(),
  };
}

export const bareApollo: ClientFactory = async (env) =>
  apolloClient(env, { headers: { authorization: `Bearer ${env.tokens.accessToken}` } });
