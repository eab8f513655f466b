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
}

declare module '@apollo/client' {
  interface DefaultContext {
    /** Options of apollo-token-refresh for this operation. */
    tokenRefresh?: TokenRefreshContext;
  }
}
