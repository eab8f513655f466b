/**
 * Per-operation context read and written by the token refresh links. Set `skip` yourself;
 * the other fields are managed by the links.
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
   * The access token the current attempt carries (`null`: none, the user is logged out).
   * Becomes the `failedToken` when the attempt fails with an auth error.
   * @internal
   */
  token?: string | null;
  /**
   * Sets (or, for `null`, removes) the auth header and `token` for a token. Stored by
   * `AuthLink`, the only link that knows the header name and format, so later links can
   * re-apply the header after a hold or before a retry.
   * @internal
   */
  apply?: (token: string | null) => void;
  /**
   * `AuthLink` left fetching the token to a downstream `ProactiveRefreshLink`, because a
   * refresh was running; that link clears it when it takes the operation.
   * @internal
   */
  defer?: boolean;
  /**
   * This attempt is the single retry after an auth error.
   * @internal
   */
  retried?: boolean;
}

declare module '@apollo/client' {
  interface DefaultContext {
    /** Options and state of apollo-token-refresh for this operation. */
    tokenRefresh?: TokenRefreshContext;
  }
}
