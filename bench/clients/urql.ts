/** urql 6: `@urql/exchange-auth` wired as its README shows, and bare (the header alone) for S3. */
import { Client, type CombinedError, type Exchange, fetchExchange } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { AppSession } from './app-session.js';
import type { BenchClient, ClientEnv, ClientFactory } from './types.js';

const isUnauthenticated = (error: CombinedError) =>
  error.graphQLErrors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED') ||
  error.response?.status === 401;

/** `headers` are fixed headers of every request (the bare client's token). */
function urqlClient(
  env: ClientEnv,
  { exchanges = [], headers }: { exchanges?: Exchange[]; headers?: Record<string, string> },
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
  return {
    async query(n) {
      const { error } = await client.query(EchoDocument, { n }).toPromise();
      if (error) throw error;
    },
    logouts: () => 0,
    dispose() {},
  };
}

export const bare: ClientFactory = async (env) =>
  urqlClient(env, { headers: { authorization: `Bearer ${env.tokens.accessToken}` } });

export const create: ClientFactory = async (env) => {
  const session = new AppSession(env);
  const auth = authExchange(async (utils) => ({
    addAuthToOperation: (operation) =>
      session.accessToken
        ? utils.appendHeaders(operation, { authorization: `Bearer ${session.accessToken}` })
        : operation,
    willAuthError: () => session.expired(),
    didAuthError: isUnauthenticated,
    async refreshAuth() {
      // The README's shape: a failed refresh logs out (the session did) instead of throwing.
      await session.refresh().catch(() => {});
    },
  }));
  return { ...urqlClient(env, { exchanges: [auth] }), logouts: () => session.logouts };
};
