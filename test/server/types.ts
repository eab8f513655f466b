/**
 * Contract of the real test server used by every integration test, the demo and the bench.
 * Implementation: `test/server/index.ts` exports `startTestServer(options): Promise<TestServer>`.
 *
 * Auth rule: every GraphQL operation needs a valid `authorization: Bearer <jwt>` EXCEPT those whose
 * operation name starts with `Public` (e.g. `query PublicEcho { echo(n: 1) }`): they run without a
 * token (resolvers see `user: null`; `me`/`rename` then error with `UNAUTHENTICATED`), and with a
 * valid one they see its user. Schema: `me`, `echo(n)`, `item(id)` (mocked), `rename(name)`,
 * subscription `ticks(intervalMs = 100, limit)` (graphql-ws only; HTTP answers 400).
 *
 * Tokens: HS256, `sub` = user, `jti` random (two tokens of the same second differ), `exp` in whole
 * seconds rounded down, so a token expires at exactly `exp * 1000` for client and server (a TTL
 * under ~1 s may be expired at once). Refresh tokens are opaque random strings.
 */
import type { TokenSet } from '../../src/token/types.js';

/** How the GraphQL endpoint answers a request whose token is missing, invalid, expired or revoked. */
export type UnauthenticatedForm =
  /** HTTP 200, `application/graphql-response+json` body with `errors[0].extensions.code === 'UNAUTHENTICATED'`. */
  | '200'
  /** HTTP 401, `application/json` body `{ errors: [...] }` (Apollo 4: `ServerError` 401). */
  | '401-json'
  /** HTTP 401, `application/graphql-response+json` body (Apollo 4: `CombinedGraphQLErrors`). */
  | '401-graphql-response';

/**
 * How `POST /refresh` behaves. Every mode but `ok` ignores the presented refresh token's state:
 * it is neither checked nor rotated, so it still works once the knob is back to `ok`. The modes
 * that answer 200 echo it back as `refreshToken` (omitted when none was sent).
 */
export type RefreshMode =
  | 'ok'
  /** 401 `{ error: 'invalid_grant' }`: the refresh token is rejected. */
  | '401'
  /** 500 `{ error: 'server_error' }`. */
  | '500'
  /** 503, then `ok` for every later call (the knob resets itself after one call). */
  | '503-once'
  /** Never answers (the socket stays open until the client aborts or the server closes). */
  | 'hang'
  /** 200 with a body that is not JSON. */
  | 'malformed'
  /** Destroys the socket without answering (connection reset). */
  | 'drop'
  /** 200 JSON without `accessToken`. */
  | 'missing-access-token'
  /** 200 with an access token whose `exp` is already past. */
  | 'expired-access-token'
  /** 200 with an access token whose signature is broken. */
  | 'bad-signature'
  /** 200 with a signed access token that has no `exp`; the GraphQL endpoint accepts it (opaque token). */
  | 'no-exp';

/** How the graphql-ws server treats `connection_init`. */
export type WsConnectMode =
  /** Verify `connectionParams.authorization` (`Bearer <jwt>`); on failure return false → close 4403. */
  | 'verify'
  /** Verify; on failure close the socket with 4401 instead. */
  | 'verify-4401'
  /** Reject every connection with 4403, whatever the token. */
  | 'reject-all';

export interface TestServerOptions {
  /** Access token lifetime. @default 60_000 */
  accessTtlMs?: number;
  /** Single-use refresh tokens: each refresh returns a new one; reusing an old one revokes the whole family (reuse detection) and answers 401. @default false */
  rotateRefreshTokens?: boolean;
  /** Delay before `/refresh` answers. @default 0 */
  refreshLatencyMs?: number;
  /** Clock used to issue and verify tokens (epoch ms). Share it with the TokenManager's `now` to move time without sleeping. @default Date.now */
  now?: () => number;
  /** See {@link UnauthenticatedForm}. @default '200' */
  unauthenticatedAs?: UnauthenticatedForm;
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
}

/** Mutable knobs; tests flip them at any time. */
export interface TestServerKnobs {
  unauthenticatedAs: UnauthenticatedForm;
  refresh: RefreshMode;
  refreshLatencyMs: number;
  /**
   * Treat every token as invalid: non-`Public*` GraphQL requests answer unauthenticated and ws
   * `connection_init` is rejected as by `knobs.ws.connect`. `Public*` operations still run.
   */
  rejectAllTokens: boolean;
  /** Delay before each GraphQL HTTP response. */
  graphqlLatencyMs: number;
  /** Next N GraphQL HTTP requests: answer 502 (counted down). */
  graphql502: number;
  /** Next N GraphQL HTTP requests: destroy the socket mid-request (counted down). */
  graphqlDrop: number;
  ws: {
    connect: WsConnectMode;
    /**
     * Close each socket with 4403 when its token expires: a real timer of `exp * 1000 - now()` ms,
     * armed at connect (flipping the knob later does not touch open sockets). With a frozen
     * injected clock use {@link TestServer.closeExpiredWsConnections} instead.
     */
    closeAtExpiry: boolean;
  };
}

export interface TestServerCounters {
  /** GraphQL HTTP requests received. */
  requests: number;
  /** GraphQL HTTP requests answered as unauthenticated (any form). */
  unauthorized: number;
  /** `/refresh` calls received. */
  refreshes: number;
  /** Refresh calls in flight now. */
  refreshesInFlight: number;
  /** Highest `refreshesInFlight` seen. */
  maxConcurrentRefreshes: number;
  /** Times an already-used refresh token was presented (rotation on). */
  reuseDetections: number;
  /** The access token each GraphQL HTTP request carried, in arrival order (`null` = no header). */
  requestTokens: (string | null)[];
  /** The variables of each GraphQL HTTP request, in arrival order. */
  requestVariables: Record<string, unknown>[];
  /** The refresh token each `/refresh` call carried (`null` when absent). */
  refreshTokensSeen: (string | null)[];
  /** Every graphql-ws connection_init: the access token it carried and whether it was accepted. */
  wsConnections: { token: string | null; accepted: boolean }[];
  /** Close codes the server used on ws sockets. */
  wsCloses: number[];
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/graphql` */
  url: string;
  /** `ws://127.0.0.1:PORT/graphql` */
  wsUrl: string;
  /**
   * `http://127.0.0.1:PORT/refresh`: POST JSON `{ refreshToken }` → 200 JSON `{ accessToken, refreshToken }`.
   * Cookie flow: without `refreshToken` in the body, the `refresh_token` cookie is used; `/login`
   * and a successful `/refresh` set that cookie (HttpOnly, Path=/refresh). CORS reflects the
   * request's Origin with credentials allowed, so a page on another port may use cookies.
   */
  refreshUrl: string;
  /** `http://127.0.0.1:PORT/login`: POST JSON `{ user }` → 200 JSON `{ accessToken, refreshToken }`. */
  loginUrl: string;
  knobs: TestServerKnobs;
  counters: TestServerCounters;
  /** Issues a fresh session for `user` (default 'alice') without an HTTP call. */
  login(user?: string): Promise<Required<Pick<TokenSet, 'accessToken' | 'refreshToken'>>>;
  /** Signs an access token for `user`; `ttlMs` may be negative for an already expired one. */
  signAccessToken(options?: { user?: string; ttlMs?: number }): Promise<string>;
  /** The server rejects this access token from now on, before its `exp`. */
  revokeAccessToken(accessToken: string): void;
  /** Revokes a refresh token (and its family): the next `/refresh` with it answers 401. */
  revokeRefreshToken(refreshToken: string): void;
  /** Closes every open ws socket with `code`. */
  closeWsConnections(code: number, reason?: string): void;
  /**
   * Closes with 4403 every accepted ws socket whose token has expired by the server clock
   * (`now`), so injected-clock tests need no real timer; returns how many it closed.
   */
  closeExpiredWsConnections(): number;
  /**
   * Simulates a crash: stops listening and destroys every HTTP and ws socket without a close
   * frame (clients see 1006 / a network error). Tokens, sessions, knobs and counters survive.
   */
  kill(): Promise<void>;
  /** Listens again on the same port after {@link TestServer.kill}. */
  revive(): Promise<void>;
  /**
   * Zeroes every counter in place (hold `server.counters` freely). Knobs are left as they are.
   * `refreshesInFlight` is a live gauge and keeps counting requests still open.
   */
  resetCounters(): void;
  /** Stops HTTP and ws, closes every socket, clears every timer. */
  close(): Promise<void>;
}
