/** Apollo Client 4 as every client on it is driven, and bare (the header alone): S0 and S3's baseline. */
import {
  ApolloClient,
  type ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
} from '@apollo/client';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { type BenchClient, benchClient, type ClientEnv, failure, type Outcome } from './types.js';

function outcomeOf(error: unknown): Outcome {
  return failure({
    code: (error as { code?: unknown } | null)?.code,
    graphQLCode: CombinedGraphQLErrors.is(error) ? error.errors[0]?.extensions?.code : undefined,
    status: ServerError.is(error) ? error.statusCode : undefined,
    name: error instanceof Error ? error.name : undefined,
  });
}

export interface ApolloClientOptions {
  /** The client's links, before `HttpLink`. */
  link?: ApolloLink;
  /** Fixed headers of `HttpLink` (the bare client's token). */
  headers?: Record<string, string>;
  logouts?: () => number;
  onDispose?: () => void;
}

/** An Apollo Client 4 with `link` before `HttpLink`, wrapped as a bench client. */
export function apolloClient(env: ClientEnv, options: ApolloClientOptions = {}): BenchClient {
  const http = new HttpLink({
    uri: env.url,
    fetch: env.fetch,
    ...(options.headers && { headers: options.headers }),
  });
  const client = new ApolloClient({
    link: options.link ? options.link.concat(http) : http,
    cache: new InMemoryCache(),
  });
  return benchClient({
    query: (n) => client.query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' }),
    outcomeOf,
    ...(options.logouts && { logouts: options.logouts }),
    dispose() {
      client.stop();
      options.onDispose?.();
    },
  });
}

/** Apollo Client 4 with a fixed `authorization` header and nothing else. */
export async function bareApolloClient(env: ClientEnv): Promise<BenchClient> {
  return apolloClient(env, { headers: { authorization: `Bearer ${env.tokens.accessToken}` } });
}
