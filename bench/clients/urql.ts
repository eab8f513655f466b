/** urql 6 with `@urql/exchange-auth`, wired as its README shows. */
import { Client, type CombinedError, fetchExchange } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { AppSession } from './app-session.js';
import type { ClientFactory } from './types.js';

const isUnauthenticated = (error: CombinedError) =>
  error.graphQLErrors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED') ||
  error.response?.status === 401;

export const urql: ClientFactory = async (env) => {
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
  // POST as the other clients do (the test server answers GraphQL on POST only); no cache.
  const client = new Client({
    url: env.url,
    exchanges: [auth, fetchExchange],
    fetch: env.fetch,
    preferGetMethod: false,
    requestPolicy: 'network-only',
  });
  return {
    async query(n) {
      const { error } = await client.query(EchoDocument, { n }).toPromise();
      if (error) throw error;
    },
    logouts: () => session.logouts,
    dispose() {},
  };
};
