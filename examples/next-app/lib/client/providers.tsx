'use client';

import { ApolloLink, HttpLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import {
  ApolloClient,
  ApolloNextAppProvider,
  InMemoryCache,
} from '@apollo/client-integration-nextjs';
import { createTokenRefreshLink } from 'apollo-token-refresh';
import { OperationTypeNode } from 'graphql';
import type { ReactNode } from 'react';
import type { ClientConfig } from '../server/config';
import { serverTokenManager } from '../shared/server-token-manager';
import type { SessionSnapshot } from '../shared/session';
import { reveal } from '../shared/ssr-secret';
import { type BrowserSession, browserSession } from './browser-session';
import { SessionProvider } from './session-context';

/**
 * Server rendering: a client of its own for this request, with a real link to the API and a
 * TokenManager holding this request's token (decrypted from `cloakedToken`, which the browser
 * cannot read). `useSuspenseQuery` runs here and the integration streams the results into the
 * browser's cache, so the first paint has the user's data and the browser does not ask again.
 */
function makeServerClient(config: ClientConfig, cloakedToken: string | null) {
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      createTokenRefreshLink(serverTokenManager(reveal(cloakedToken))),
      new HttpLink({ uri: config.serverGraphqlUrl, fetchOptions: { cache: 'no-store' } }),
    ]),
  });
}

/** The browser: this tab's manager; HTTP through the Next.js origin, subscriptions over graphql-ws. */
function makeBrowserClient(session: BrowserSession) {
  const http = ApolloLink.from([
    createTokenRefreshLink(session.manager),
    new HttpLink({ uri: '/graphql' }),
  ]);
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.split(
      (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
      new GraphQLWsLink(session.ws),
      http,
    ),
  });
}

export function Providers({
  config,
  snapshot,
  cloakedToken,
  children,
}: {
  config: ClientConfig;
  /** What the server knew of the session (nothing secret); `null` when nobody is signed in. */
  snapshot: SessionSnapshot | null;
  /** The access token, encrypted for server rendering only (lib/shared/ssr-secret.ts). */
  cloakedToken: string | null;
  children: ReactNode;
}) {
  const session = typeof window === 'undefined' ? null : browserSession(config, snapshot !== null);
  // `makeClient` runs once per request on the server and once per tab in the browser.
  const makeClient = () =>
    session ? makeBrowserClient(session) : makeServerClient(config, cloakedToken);
  return (
    <SessionProvider session={session} snapshot={snapshot} accessTtlMs={config.accessTtlMs}>
      <ApolloNextAppProvider makeClient={makeClient}>{children}</ApolloNextAppProvider>
    </SessionProvider>
  );
}
