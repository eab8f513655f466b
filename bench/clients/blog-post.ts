/**
 * naive and one-future: the refresh recipe blog posts teach for Apollo Client 4. `SetContextLink`
 * sets the token; `ErrorLink` refreshes on `UNAUTHENTICATED` and retries with `forward`.
 * one-future shares one refresh promise among the operations that fail while it runs.
 */
import { ApolloLink, CombinedGraphQLErrors, type ErrorLike } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { from, switchMap } from 'rxjs';
import { apolloClient } from './apollo.js';
import { AppSession } from './app-session.js';
import type { ClientEnv, ClientFactory } from './types.js';

const isUnauthenticated = (error: ErrorLike) =>
  CombinedGraphQLErrors.is(error) &&
  error.errors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED');

/** Every `UNAUTHENTICATED` answer calls `refresh`, then retries once. */
function createBlogLink(session: AppSession, refresh: () => Promise<void>): ApolloLink {
  const auth = new SetContextLink((previous) => ({
    headers: {
      ...previous.headers,
      authorization: session.accessToken ? `Bearer ${session.accessToken}` : '',
    },
  }));
  const retry = new ErrorLink(({ error, operation, forward }) =>
    isUnauthenticated(error)
      ? from(refresh()).pipe(switchMap(() => forward(operation)))
      : undefined,
  );
  return ApolloLink.from([retry, auth]);
}

/** Callers that come while a refresh runs share its promise. */
function shareOneRefresh(refresh: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | null = null;
  return () => {
    pending ??= refresh().finally(() => {
      pending = null;
    });
    return pending;
  };
}

async function blogPostClient(env: ClientEnv, oneRefresh: boolean) {
  const session = new AppSession(env);
  const refresh = () => session.refresh();
  const link = createBlogLink(session, oneRefresh ? shareOneRefresh(refresh) : refresh);
  return { ...apolloClient(env, { link }), logouts: () => session.logouts };
}

export const naive: ClientFactory = (env) => blogPostClient(env, false);
export const oneFuture: ClientFactory = (env) => blogPostClient(env, true);
