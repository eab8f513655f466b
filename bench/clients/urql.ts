/** urql 6: `@urql/exchange-auth` wired as its README shows, and bare (the header alone) for S3. */
import { Client, CombinedError, type Exchange, fetchExchange } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { createAppSession, refreshSession } from './app-session.js';
import { type BenchClient, benchClient, type ClientEnv, failure, type Outcome } from './types.js';

const isUnauthenticated = (error: CombinedError) =>
  error.graphQLErrors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED') ||
  error.response?.status === 401;

function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof CombinedError)) {
    return failure({ name: error instanceof Error ? error.name : undefined });
  }
  const status = (error.response as Response | undefined)?.status;
  return failure({
    code: (error.networkError as { code?: unknown } | undefined)?.code,
    graphQLCode: error.graphQLErrors[0]?.extensions?.code,
    status: status !== undefined && status >= 400 ? status : undefined,
    name: error.networkError?.name ?? 'CombinedError',
  });
}

function urqlClient(
  env: ClientEnv,
  exchanges: Exchange[],
  logouts: () => number,
  headers?: Record<string, string>,
): BenchClient {
  // POST as the other clients do (the test server answers GraphQL on POST only); no cache.
  const client = new Client({
    url: env.url,
    exchanges: [...exchanges, fetchExchange],
    fetch: env.fetch,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    ...(headers && { fetchOptions: { headers } }),
  });
  return benchClient({
    async query(n) {
      const { error } = await client.query(EchoDocument, { n }).toPromise();
      if (error) throw error;
    },
    outcomeOf,
    logouts,
    dispose() {},
  });
}

export async function bareUrqlClient(env: ClientEnv): Promise<BenchClient> {
  return urqlClient(env, [], () => 0, { authorization: `Bearer ${env.tokens.accessToken}` });
}

export async function urqlClientWithAuth(env: ClientEnv): Promise<BenchClient> {
  const session = createAppSession(env.tokens, env.now);
  const auth = authExchange(async (utils) => ({
    addAuthToOperation: (operation) =>
      session.accessToken
        ? utils.appendHeaders(operation, { authorization: `Bearer ${session.accessToken}` })
        : operation,
    willAuthError: () => session.expired(),
    didAuthError: isUnauthenticated,
    async refreshAuth() {
      // The README's shape: a failed refresh logs out (refreshSession did) instead of throwing.
      await refreshSession(session, env).catch(() => {});
    },
  }));
  return urqlClient(env, [auth], () => session.logouts);
}
