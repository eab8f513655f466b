/** This package, wired as its README shows: `createTokenRefreshLink(manager)` before `HttpLink`. */
import { createTokenRefreshLink, TokenManager } from 'apollo-token-refresh';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { apolloClient } from './apollo.js';
import type { BenchClient, ClientEnv } from './types.js';

export async function oursClient(env: ClientEnv): Promise<BenchClient> {
  const manager = new TokenManager({
    refresh: httpRefresh(env.refreshUrl, { fetch: env.fetch }),
    now: env.now,
  });
  let logouts = 0;
  manager.on('logout', () => {
    logouts++;
  });
  await manager.setTokens(env.tokens);
  return apolloClient(env, {
    link: createTokenRefreshLink(manager),
    logouts: () => logouts,
    onDispose: () => manager.dispose(),
  });
}
