/**
 * This package, wired as its README shows: `createTokenRefreshLink(manager)` before `HttpLink`,
 * the session in a `memoryStorage` (the default storage, seeded as an app that kept it would), and
 * a refresh that POSTs `/refresh`.
 */
import { createTokenRefreshLink, memoryStorage, TokenManager } from 'apollo-token-refresh';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { apolloClient } from './apollo.js';
import type { ClientFactory } from './types.js';

export const ours: ClientFactory = async (env) => {
  const manager = new TokenManager({
    refresh: httpRefresh(env.refreshUrl, { fetch: env.fetch }),
    storage: memoryStorage(env.tokens),
    // The default reads `Date.now()` the same way; memory moves the clock with the server's.
    now: env.now,
  });
  let logouts = 0;
  manager.on('logout', () => {
    logouts++;
  });
  const client = apolloClient(env, { link: createTokenRefreshLink(manager) });
  return {
    query: client.query,
    logouts: () => logouts,
    dispose() {
      client.dispose();
      manager.dispose();
    },
  };
};
