import { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { Observable, type Subscription } from 'rxjs';
import { checkFn } from '../internal/check.js';
import type { TokenManager } from '../token/manager.js';
import { after, patch } from './util.js';

/** A GraphQL error coded `UNAUTHENTICATED`, or an HTTP 401 `ServerError`. */
export const isUnauthenticated = (error: unknown): boolean =>
  CombinedGraphQLErrors.is(error)
    ? error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
    : ServerError.is(error) && error.statusCode === 401;

/**
 * Reactive refresh: when the server rejects the token an operation carried, refreshes once
 * (shared with every other operation that failed with the same token) and retries the
 * operation once with the new token. A second auth failure reaches the app unchanged. A stream
 * (multipart subscription, `@defer`) is retried only if it failed before its first chunk.
 */
export class AuthErrorLink extends ApolloLink {
  constructor(
    manager: TokenManager,
    { isAuthError = isUnauthenticated }: AuthErrorLink.Options = {},
  ) {
    checkFn(isAuthError, 'isAuthError');
    super((op, forward) => {
      const c = op.getContext().tokenRefresh;
      // `retried`: the operation came through again (a retry link upstream): no second refresh.
      if (c?.skip || c?.retried) return forward(op);
      return new Observable((observer) => {
        let retry: Subscription | undefined;
        let delivered = false;
        /** Starts the one retry when `error` (of the first attempt, before any result) is an auth error. */
        const again = (error: unknown) => {
          if (delivered || !isAuthError(error, op)) return;
          const failedToken = op.getContext().tokenRefresh?.token;
          retry = after(manager.refresh(failedToken ? { failedToken } : {}), (token) => {
            first.unsubscribe();
            op.getContext().tokenRefresh?.apply?.(token);
            patch(op, { retried: true });
            return forward(op);
          }).subscribe(observer);
          return true;
        };
        // Events of the first attempt; once `again` has started they are stale.
        const first = forward(op).subscribe({
          next: (result) => {
            if (retry || (result.errors && again(new CombinedGraphQLErrors(result)))) return;
            delivered = true;
            observer.next(result);
          },
          error: (error: unknown) => retry || again(error) || observer.error(error),
          complete: () => retry || observer.complete(),
        });
        return () => {
          first.unsubscribe();
          retry?.unsubscribe();
        };
      });
    });
  }
}

export declare namespace AuthErrorLink {
  /** Options of `new AuthErrorLink(manager, options)`. */
  interface Options {
    /**
     * Decides whether a failure means "the token was rejected". Receives the error delivered
     * by the link chain, or, for a result that carries GraphQL errors, a
     * `CombinedGraphQLErrors` built from it.
     * @default error => a `CombinedGraphQLErrors` with an error whose `extensions.code` is
     * `'UNAUTHENTICATED'`, or a `ServerError` with `statusCode` 401
     */
    isAuthError?: (error: unknown, operation: ApolloLink.Operation) => boolean;
  }
}
