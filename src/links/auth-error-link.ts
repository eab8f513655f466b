import { ApolloLink } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { Observable, Subscriber } from 'rxjs';
import { checkFunction } from '../internal/check.js';
import type { TokenManager } from '../token/manager.js';
import { type HeaderOptions, resolveHeader } from './header.js';
import { isUnauthenticated } from './is-auth-error.js';
import { carriedToken, isRetry, isSkipped, markRetry, reauthorize } from './operation-state.js';
import { sendAfter } from './send-after.js';

/** Starts the one retry into `destination` when `error` is an auth error; false when it is not. */
type Retry = (error: unknown, destination: Subscriber<ApolloLink.Result>) => boolean;

/**
 * Watches an operation's first attempt for an auth error and passes everything else on. A
 * `Subscriber` of its own because rxjs subscribes one as it is, where a plain observer object
 * gets wrappers of its own: a cost on the hot path of every operation (bench S3).
 */
class FirstAttempt extends Subscriber<ApolloLink.Result> {
  /** A result reached the app: a stream that fails later is not retried. */
  private delivered = false;
  /** A retry took over: what this attempt still delivers is dropped. */
  private handedOver = false;

  constructor(
    destination: Subscriber<ApolloLink.Result>,
    private readonly retry: Retry,
  ) {
    super(destination);
  }

  protected override _next(result: ApolloLink.Result) {
    if (this.handedOver) return;
    if (!this.delivered && result.errors && this.handOver(new CombinedGraphQLErrors(result))) {
      return;
    }
    this.delivered = true;
    super._next(result);
  }

  protected override _error(error: unknown) {
    if (this.handedOver || (!this.delivered && this.handOver(error))) this.unsubscribe();
    else super._error(error);
  }

  protected override _complete() {
    if (this.handedOver) this.unsubscribe();
    else super._complete();
  }

  /**
   * Gives the operation to a retry when `error` calls for one. The attempt is left to finish
   * rather than unsubscribed at once: `HttpLink` aborts the request of an unsubscribed attempt
   * even when its answer was fully read, and each abort costs a `DOMException` and the fetch's
   * abort steps (measured in the 401 path's profile: 500 rejections, 500 aborts).
   */
  private handOver(error: unknown): boolean {
    const destination = this.destination as Subscriber<ApolloLink.Result>;
    try {
      this.handedOver = this.retry(error, destination);
    } catch (thrown) {
      // A throwing `isAuthError` fails the operation instead of leaving it hanging.
      destination.error(thrown);
      this.handedOver = true;
    }
    return this.handedOver;
  }
}

/**
 * Reactive refresh: when the server rejects the token an operation carried, refreshes once
 * (shared with every other operation that failed with the same token) and retries the
 * operation once with the new token. A second auth failure reaches the app unchanged. A stream
 * (multipart subscription, `@defer`) is retried only if it failed before its first chunk.
 * Without an `AuthLink` in front (an auth link of the app's own), it writes the new token into
 * its own `header`/`format` for the retry, never resending the rejected one.
 */
export class AuthErrorLink extends ApolloLink {
  constructor(manager: TokenManager, options: AuthErrorLink.Options = {}) {
    const { isAuthError = isUnauthenticated } = options;
    checkFunction(isAuthError, 'isAuthError');
    const header = resolveHeader(options);
    super((operation, forward) => {
      // On its retry already: a retry link upstream sent it again. No second refresh.
      if (isSkipped(operation) || isRetry(operation)) return forward(operation);
      // What an auth link of the app's own most likely sent: the manager's token at this moment.
      const tokenWhenSent = carriedToken(operation) ?? manager.peekAccessToken();
      const retry: Retry = (error, destination) => {
        if (!isAuthError(error, operation)) return false;
        const failedToken = carriedToken(operation) ?? tokenWhenSent ?? undefined;
        sendAfter(manager.refresh(failedToken ? { failedToken } : {}), (token) => {
          reauthorize(operation, token, header);
          markRetry(operation);
          return forward(operation);
        }).subscribe(destination);
        return true;
      };
      return new Observable((observer) => {
        forward(operation).subscribe(new FirstAttempt(observer, retry));
      });
    });
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
