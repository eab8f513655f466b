import { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { Observable, Subscriber } from 'rxjs';
import { checkFn } from '../internal/check.js';
import type { TokenManager } from '../token/manager.js';
import { stateOf } from './state.js';
import { after } from './util.js';

/** A GraphQL error coded `UNAUTHENTICATED`, or an HTTP 401 `ServerError`. */
export const isUnauthenticated = (error: unknown): boolean =>
  CombinedGraphQLErrors.is(error)
    ? error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
    : ServerError.is(error) && error.statusCode === 401;

/** Starts the one retry into `destination` when `error` is an auth error; false when it is not. */
type Retry = (error: unknown, destination: Subscriber<ApolloLink.Result>) => boolean;

/**
 * Watches an operation's first attempt for an auth error and passes everything else on. A
 * `Subscriber` of its own because rxjs subscribes one as it is, where a plain observer object
 * gets wrappers of its own: a cost on the hot path of every operation (bench/ S3).
 */
class FirstAttempt extends Subscriber<ApolloLink.Result> {
  /** A result reached the app: a stream that fails later is not retried. */
  private delivered = false;

  constructor(
    destination: Subscriber<ApolloLink.Result>,
    private readonly retry: Retry,
  ) {
    super(destination);
  }

  protected override _next(result: ApolloLink.Result) {
    if (!this.delivered && result.errors && this.handOver(new CombinedGraphQLErrors(result))) {
      return;
    }
    this.delivered = true;
    super._next(result);
  }

  protected override _error(error: unknown) {
    if (this.delivered || !this.handOver(error)) super._error(error);
  }

  /** Gives the operation to a retry when `error` calls for one; this attempt then ends. */
  private handOver(error: unknown): boolean {
    const destination = this.destination as Subscriber<ApolloLink.Result>;
    let retrying: boolean;
    try {
      retrying = this.retry(error, destination);
    } catch (thrown) {
      // A throwing `isAuthError` fails the operation instead of leaving it hanging.
      destination.error(thrown);
      retrying = true;
    }
    if (retrying) this.unsubscribe();
    return retrying;
  }
}

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
      const state = stateOf(op);
      // `retried`: the operation came through again (a retry link upstream): no second refresh.
      if (state.skip || state.retried) return forward(op);
      const retry: Retry = (error, destination) => {
        if (!isAuthError(error, op)) return false;
        const failedToken = state.token;
        after(manager.refresh(failedToken ? { failedToken } : {}), (token) => {
          state.apply?.(op, token);
          state.retried = true;
          return forward(op);
        }).subscribe(destination);
        return true;
      };
      return new Observable((observer) => {
        forward(op).subscribe(new FirstAttempt(observer, retry));
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
