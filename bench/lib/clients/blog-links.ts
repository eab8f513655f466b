/**
 * The hand-written refresh that blog posts teach for Apollo Client 4: `SetContextLink` reads the
 * token, `ErrorLink` refreshes on `UNAUTHENTICATED` and retries with `forward`. Kept apart from
 * the harness so the bundle scenario measures exactly this code.
 */
import { ApolloLink, CombinedGraphQLErrors, type ErrorLike } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { from, switchMap } from 'rxjs';
import type { AppSession } from '../types.js';

const isUnauthenticated = (error: ErrorLike) =>
  CombinedGraphQLErrors.is(error) &&
  error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');

/** naive: every `UNAUTHENTICATED` answer calls `refresh` itself, then retries once. */
export function createBlogLink(session: AppSession, refresh: () => Promise<void>): ApolloLink {
  const auth = new SetContextLink((prev) => ({
    headers: {
      ...prev.headers,
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

/** one-future: callers that fail while a refresh runs share its promise. */
export function oneFuture(refresh: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | null = null;
  return () => {
    pending ??= refresh().finally(() => {
      pending = null;
    });
    return pending;
  };
}
