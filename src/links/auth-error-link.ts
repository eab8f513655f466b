import { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { checkFunction, checkManager } from '../shared/check.js';
import { type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { setRetry } from './context.js';
import { isUnauthenticated } from './is-auth-error.js';
import { sendAfter } from './send-after.js';

type Result = ApolloLink.Result;

/**
 * Reactive refresh: when the server rejects the token an operation carried, refreshes once
 * (shared with every other operation that failed with the same token) and sends the operation
 * once more with the new token in its header. A second auth failure reaches the app unchanged.
 * A stream (multipart subscription, `@defer`) is retried only if it failed before its first
 * chunk. An operation sent without a session (no token) is not retried: its error is the app's.
 *
 * The rejected token is the manager's token when the attempt went through this link: what the
 * auth link in front of it (ours, or the app's own `SetContextLink`) had just written.
 *
 * Context: reads `tokenRefresh.skip` and `tokenRefresh.retried` when an attempt fails; writes
 * `headers[header]` and `tokenRefresh.retried` for the retry.
 */
export class AuthErrorLink extends ApolloLink {
  /** @throws {TokenRefreshError} `INVALID_OPTION` for a missing manager or an invalid option, naming it. */
  constructor(manager: TokenManager, options: AuthErrorLink.Options = {}) {
    checkManager(manager, 'AuthErrorLink', ['peekAccessToken', 'refresh']);
    const header = resolveHeader(options);
    const { isAuthError = isUnauthenticated } = options;
    checkFunction(isAuthError, 'isAuthError');
    super(
      (operation, forward) =>
        new Observable<Result>((destination) => {
          const tokenWhenSent = manager.peekAccessToken();
          const retry = (error: unknown): Observable<Result> | undefined => {
            // Opted out, or on its one retry already (a RetryLink in front sent it again).
            const { tokenRefresh } = operation.getContext();
            if (tokenRefresh?.skip || tokenRefresh?.retried) return undefined;
            if (!isAuthError(error, operation)) return undefined;
            // Sent without a session: nothing to refresh, the app gets the error as it came.
            if (tokenWhenSent === null) return undefined;
            const refreshed = manager.refresh(
              tokenWhenSent === undefined ? {} : { failedToken: tokenWhenSent },
            );
            return sendAfter(refreshed, (token) => {
              setRetry(operation, token, header);
              return forward(operation);
            });
          };
          return sendWithOneRetry(forward(operation), retry, destination);
        }),
    );
  }
}

export declare namespace AuthErrorLink {
  /** Options of `new AuthErrorLink(manager, options)`. */
  interface Options extends HeaderOptions {
    /**
     * Decides whether a failure means "the token was rejected". Receives the error delivered
     * by the link chain, or, for a result that carries GraphQL errors, a
     * `CombinedGraphQLErrors` built from it.
     * @default isUnauthenticated: a GraphQL error coded `UNAUTHENTICATED`, or any failure of a
     * request answered with HTTP 401
     */
    isAuthError?: (error: unknown, operation: ApolloLink.Operation) => boolean;
  }
}

/**
 * Delivers `first` to `destination` until it fails with an error `retry` takes on (an error,
 * or a result with GraphQL errors, before anything reached the app): from then on the retry
 * delivers. The first attempt is left to finish rather than unsubscribed: `HttpLink` aborts the
 * request of an unsubscribed attempt even when its answer was read in full. Unsubscribing the
 * operation stops both.
 */
function sendWithOneRetry(
  first: Observable<Result>,
  retry: (error: unknown) => Observable<Result> | undefined,
  destination: Subscriber<Result>,
): () => void {
  /** A result reached the app: a stream that fails later is not retried. */
  let delivered = false;
  let retrying: Subscription | undefined;
  /** Whether the retry took `error` on; a throwing `isAuthError` fails the operation, never hangs it. */
  const handOver = (error: unknown): boolean => {
    if (delivered) return false;
    let second: Observable<Result> | undefined;
    try {
      second = retry(error);
    } catch (thrown) {
      destination.error(thrown);
      return true;
    }
    if (!second) return false;
    retrying = second.subscribe(destination);
    return true;
  };
  const attempt = first.subscribe({
    next(result) {
      if (retrying || destination.closed) return;
      if (!delivered && result.errors && handOver(new CombinedGraphQLErrors(result))) return;
      delivered = true;
      destination.next(result);
    },
    error(error) {
      if (retrying || destination.closed) return;
      if (!handOver(error)) destination.error(error);
    },
    complete() {
      if (!retrying) destination.complete();
    },
  });
  return () => {
    attempt.unsubscribe();
    retrying?.unsubscribe();
  };
}
