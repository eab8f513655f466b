/** Apollo Client 4 as the bench drives every client on it, and bare: S0's client, S3's baseline. */
import { ApolloClient, type ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import type { BenchClient, ClientEnv, ClientFactory, ClientSpec } from './types.js';

/** `link` goes before `HttpLink`; `headers` are fixed headers of `HttpLink` (the bare client's). */
export function apolloClient(
  env: ClientEnv,
  { link, headers }: { link?: ApolloLink; headers?: Record<string, string> },
): BenchClient {
  const http = new HttpLink({ uri: env.url, fetch: env.fetch, ...(headers && { headers }) });
  const client = new ApolloClient({
    link: link ? link.concat(http) : http,
    cache: new InMemoryCache(),
  });
  return {
    query: (n) => client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' }),
    logouts: () => 0,
    dispose: () => client.stop(),
  };
}

export const bareApolloClient: ClientFactory = async (env) =>
  apolloClient(env, { headers: { authorization: `Bearer ${env.tokens.accessToken}` } });

export const bareApollo: ClientSpec = {
  name: 'bare Apollo Client 4',
  base: 'Apollo Client 4',
  wiring: 'the header alone',
  create: bareApolloClient,
  bare: bareApolloClient,
};
