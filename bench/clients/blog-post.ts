/**
 * naive and one-future: the refresh blog posts teach for Apollo Client 4. `SetContextLink` reads
 * the token, `ErrorLink` refreshes on `UNAUTHENTICATED` and retries with `forward`; one-future
 * shares one refresh promise between the operations that fail while it runs. The bundle row
 * measures `createBlogLink` and `oneFuture` alone.
 */
import { ApolloLink, CombinedGraphQLErrors, type ErrorLike } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { from, switchMap } from 'rxjs';
import { apolloClient } from './apollo.js';
import { type AppSession, createAppSession, refreshSession } from './app-session.js';
import type { BenchClient, ClientEnv } from './types.js';

const isUnauthenticated = (error: ErrorLike) =>
  CombinedGraphQLErrors.is(error) &&
  error.errors.some((graphQLError) => graphQLError.extensions?.code === 'UNAUTHENTICATED');

/** Every `UNAUTHENTICATED` answer calls `refresh`, then retries once. */
export function createBlogLink(session: AppSession, refresh: () => Promise<void>): ApolloLink {
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
export function oneFuture(refresh: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | null = null;
  return () => {
    pending ??= refresh().finally(() => {
      pending = null;
    });
    return pending;
  };
}

export async function naiveClient(env: ClientEnv): Promise<BenchClient> {
  const session = createAppSession(env.tokens, env.now);
  const link = createBlogLink(session, () => refreshSession(session, env));
  return apolloClient(env, { link, logouts: () => session.logouts });
}

export async function oneFutureClient(env: ClientEnv): Promise<BenchClient> {
  const session = createAppSession(env.tokens, env.now);
  const link = createBlogLink(
    session,
    oneFuture(() => refreshSession(session, env)),
  );
  return apolloClient(env, { link, logouts: () => session.logouts });
}
