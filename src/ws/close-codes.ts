/**
 * WebSocket close codes `createAuthWsClient` sends, receives or reports. graphql-ws's own
 * codes (`CloseCode` from `graphql-ws`) keep their meaning.
 */
export const AuthCloseCode = {
  /** Sent after `logout`: with no subscription left, graphql-ws does not reconnect. */
  SessionEnded: 1000,
  /**
   * Sent by the client to replace a socket whose token changed (graceful restart). Not fatal
   * to graphql-ws, so it reconnects at once and re-subscribes every active subscription.
   */
  TokenChanged: 4205,
  /**
   * Reported to graphql-ws (and to `on.closed`) in place of a server close code listed in
   * `reauthCloseCodes`: graphql-ws treats some of them (4401) as fatal before asking
   * `shouldRetry`. The server's code is kept in the event's `serverCode`.
   */
  Reauthenticate: 4206,
  /** Default re-auth code: what some servers send for an expired or invalid token. */
  Unauthorized: 4401,
  /** Default re-auth code: graphql-ws servers' answer when `onConnect` returns false. */
  Forbidden: 4403,
} as const;

/** The shape graphql-ws accepts as a close event (`CloseEvent`, `ws` events, plain objects). */
export interface CloseLike {
  code: number;
  reason: string;
}

export const isClose = (e: unknown): e is CloseLike =>
  typeof e === 'object' && e !== null && 'code' in e && 'reason' in e;
