import type { ApolloLink, DefaultContext } from '@apollo/client';
import type { AuthorizationHeader } from '../shared/header.js';

/**
 * The contract between the token refresh links: each link stands alone and talks to the others
 * only through the operation's public context (`getContext` / `setContext`), never through a
 * property added to the operation, where a logging link or an error tracker would find it.
 *
 * | Context key | Written by | Read by |
 * | --- | --- | --- |
 * | `headers[header]` | `AuthLink` (the token usable now), `ProactiveRefreshLink` (the token after a hold), `AuthErrorLink` (the token of its retry) | the terminating link, which sends it |
 * | `tokenRefresh.skip` | the app | all three: no header, no waiting, no retry |
 * | `tokenRefresh.retried` | `AuthErrorLink`, on the one retry | `AuthErrorLink`: no second refresh for that operation |
 */

/**
 * Per-operation options of the token refresh links, read from the operation's context.
 *
 * @example
 * ```ts
 * client.mutate({ mutation: LOGIN, context: { tokenRefresh: { skip: true } } });
 * ```
 */
export interface TokenRefreshContext {
  /**
   * Opt this operation out: no header, no waiting for a refresh, no retry. For login and other
   * public operations.
   * @default false
   */
  skip?: boolean;
  /**
   * Set by `AuthErrorLink` on the attempt that is the operation's one retry after an auth error.
   * An `AuthErrorLink` that sees it passes auth errors through to the app, so an operation that a
   * `RetryLink` sends again gets no second refresh. Apps read it, never set it.
   * @default undefined
   */
  readonly retried?: boolean;
}

declare module '@apollo/client' {
  interface DefaultContext {
    /** Options of apollo-token-refresh for this operation. */
    tokenRefresh?: TokenRefreshContext;
  }
}

/** The operation opted out: no header, no waiting, no retry. */
export const isSkipped = (context: DefaultContext): boolean => context.tokenRefresh?.skip === true;

/** A copy of `headers` with `token` in `header`, or without the header for `null` (signed out). */
function headersWithToken(
  headers: DefaultContext['headers'],
  token: string | null,
  header: AuthorizationHeader,
): Record<string, string> {
  const next: Record<string, string> = { ...headers };
  if (token) next[header.name] = header.valueFor(token);
  else delete next[header.name];
  return next;
}

/**
 * Writes `token` into the operation's `header` (removes the header for `null`: signed out).
 * `headers` are the operation's current headers, when the caller has read the context already.
 */
export function setToken(
  operation: ApolloLink.Operation,
  token: string | null,
  header: AuthorizationHeader,
  headers: DefaultContext['headers'] = operation.getContext().headers,
): void {
  operation.setContext({ headers: headersWithToken(headers, token, header) });
}

/** Writes `token` into the operation's `header` and marks the attempt as its one retry. */
export function setRetry(
  operation: ApolloLink.Operation,
  token: string | null,
  header: AuthorizationHeader,
): void {
  const { headers, tokenRefresh } = operation.getContext();
  operation.setContext({
    headers: headersWithToken(headers, token, header),
    tokenRefresh: { ...tokenRefresh, retried: true },
  });
}
