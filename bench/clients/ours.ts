/** This package, wired as its README shows: `createTokenRefreshLink(manager)` before `HttpLink`. */
import { createTokenRefreshLink, TokenManager } from 'apollo-token-refresh';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { apolloClient, bareApolloClient } from './apollo.js';
import type { ClientSpec } from './types.js';

export const ours: ClientSpec = {
  name: 'ours',
  base: 'Apollo Client 4',
  wiring: '`createTokenRefreshLink(manager)` + `HttpLink`, default options',
  bare: bareApolloClient,
  async create(env) {
    const manager = new TokenManager({
      refresh: httpRefresh(env.refreshUrl, { fetch: env.fetch }),
      now: env.now,
    });
    let logouts = 0;
    manager.on('logout', () => {
      logouts++;
    });
    await manager.setTokens(env.tokens);
    const client = apolloClient(env, { link: createTokenRefreshLink(manager) });
    return {
      query: client.query,
      logouts: () => logouts,
      dispose() {
        client.dispose();
        manager.dispose();
      },
    };
  },
};
