import type { ApolloLink } from '@apollo/client';
import { Observable } from 'rxjs';
import { checkFunction } from '../shared/check.js';
import { type AuthorizationHeader, type HeaderOptions, resolveHeader } from '../shared/header.js';
import type { TokenManager } from '../token/manager.js';
import { FirstAttempt, type Retry } from './first-attempt.js';
import { isUnauthenticated } from './is-auth-error.js';
import { carriedToken, markRetry, reauthorize } from './operation-state.js';
import { sendAfter } from './send-after.js';

/** `AuthErrorLink.Options`' own option. */
export interface RetryOnceOptions {
  /**
   * Decides whether a failure means "the token was rejected". Receives the error delivered
   * by the link chain, or, for a result that carries GraphQL errors, a
   * `CombinedGraphQLErrors` built from it.
   * @default isUnauthenticated: a GraphQL error coded `UNAUTHENTICATED`, or any failure of a
   * request answered with HTTP 401
   */
  isAuthError?: (error: unknown, operation: ApolloLink.Operation) => boolean;
}

/** What the retry needs, resolved and validated once per link. */
export interface RetrySettings {
  readonly manager: TokenManager;
  readonly isAuthError: NonNullable<RetryOnceOptions['isAuthError']>;
  readonly header: AuthorizationHeader;
}

/** @throws {TokenRefreshError} `INVALID_OPTION`, naming the option. */
export function resolveRetrySettings(
  manager: TokenManager,
  options: RetryOnceOptions & HeaderOptions,
): RetrySettings {
  const { isAuthError = isUnauthenticated } = options;
  checkFunction(isAuthError, 'isAuthError');
  return { manager, isAuthError, header: resolveHeader(options) };
}

/**
 * Sends the operation and watches its first attempt: on an auth error, refreshes once (shared
 * with every operation that failed with the same token) and sends it once more with the new
 * token. `tokenWhenSent`: the token the attempt carries, for when no record of our links says
 * (an auth link of the app's own wrote it, or `createTokenRefreshLink`'s one-step path).
 */
export function sendWithOneRetry(
  operation: ApolloLink.Operation,
  forward: ApolloLink.ForwardFunction,
  tokenWhenSent: string | null | undefined,
  { manager, isAuthError, header }: RetrySettings,
): Observable<ApolloLink.Result> {
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
  return new Observable<ApolloLink.Result>((destination) => {
    const attempt = new FirstAttempt(destination, retry);
    forward(operation).subscribe(attempt);
    return attempt;
  });
}
