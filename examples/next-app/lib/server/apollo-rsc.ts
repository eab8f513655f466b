import 'server-only';
import { ApolloLink, HttpLink } from '@apollo/client';
import {
  ApolloClient,
  InMemoryCache,
  registerApolloClient,
} from '@apollo/client-integration-nextjs';
import {
  createTokenRefreshLink,
  memoryStorage,
  SessionExpiredError,
  TokenManager,
} from 'apollo-token-refresh';
import { cookies } from 'next/headers';
import { ACCESS_COOKIE, serverConfig } from './config';

/**
 * One client per request (registerApolloClient caches it in React's request scope), and one
 * TokenManager per client, seeded from this request's cookie. Nothing token-related lives at
 * module level: a module-level manager would serve one user's token to another user's request.
 *
 * Server rendering cannot refresh (it cannot set the rotated cookie on a streamed response), so
 * its refresh function ends the session for this request only; the browser then refreshes.
 */
export const { getClient } = registerApolloClient(async () => {
  const token = (await cookies()).get(ACCESS_COOKIE)?.value;
  const manager = new TokenManager({
    storage: memoryStorage(token ? { accessToken: token } : undefined),
    refresh: () => Promise.reject(new SessionExpiredError('No refresh during server rendering')),
    refreshBeforeExpiryMs: 1_000,
  });
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      createTokenRefreshLink(manager),
      new HttpLink({ uri: serverConfig().graphqlUrl, fetchOptions: { cache: 'no-store' } }),
    ]),
  });
});
