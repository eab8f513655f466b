import 'server-only';
import { ApolloLink, HttpLink } from '@apollo/client';
import {
  ApolloClient,
  InMemoryCache,
  registerApolloClient,
} from '@apollo/client-integration-nextjs';
import { createTokenRefreshLink } from 'apollo-token-refresh';
import { serverTokenManager } from '../shared/server-token-manager';
import { serverConfig } from './config';
import { requestSession } from './session';

/**
 * Server components' client: one per request (`registerApolloClient` scopes it to React's
 * request), each with its own TokenManager holding this request's token. Nothing token-related
 * lives at module level: that would serve one user's token to another user's request.
 * `PreloadQuery` uses it too, and streams the result into the client components' cache.
 */
export const { getClient, PreloadQuery } = registerApolloClient(async () => {
  const { token } = await requestSession();
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      createTokenRefreshLink(serverTokenManager(token)),
      new HttpLink({ uri: serverConfig().graphqlUrl, fetchOptions: { cache: 'no-store' } }),
    ]),
  });
});
