import {
  type Client,
  type ClientOptions,
  createClient,
  type FormattedExecutionResult,
  type Sink,
  type SubscribePayload,
} from 'graphql-ws';
import { check, checkManager } from '../shared/check.js';
import { SessionExpiredError } from '../shared/errors.js';
import type { TokenManager } from '../token/manager.js';
import { AuthCloseCode, isClose } from './close-codes.js';
import {
  closeCodeForGraphqlWs,
  filterSocketEvents,
  randomisedBackoff,
  type WebSocketClass,
  type WebSocketLike,
} from './graphql-ws-workarounds.js';
import { iterateSubscription } from './iterate.js';
import { retriesAtOnce, retryByDefault, shouldRetryConnection } from './retry.js';

/**
 * What the client needs of a `TokenManager`: structural, so a manager from another copy of the
 * package (or a test double) fits too.
 */
export type AuthWsManager = Pick<TokenManager, 'getAccessToken' | 'refresh' | 'on'>;

/** Options of {@link createAuthWsClient}: every graphql-ws `ClientOptions` passes through. */
export interface AuthWsClientOptions extends Omit<ClientOptions, 'connectionParams'> {
  /**
   * Builds the `connection_init` payload from the access token, on every (re)connect.
   * `token` is `null` when no one is signed in.
   * @default token => token ? { authorization: `Bearer ${token}` } : {}
   */
  connectionParams?: (
    token: string | null,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Server close codes meaning "this token is not accepted": the client refreshes (with
   * `failedToken` = that socket's token) and reconnects. A second such close before any
   * `connection_ack` ends the subscriptions with `SessionExpiredError`.
   * @default [4401, 4403]
   */
  reauthCloseCodes?: number[];
  /**
   * Whether to retry after a connection failed or closed, for what the client does not decide
   * itself (its own restarts, re-auth closes, refresh failures are its own). graphql-ws asks
   * only below `retryAttempts` and never for its fatal close codes.
   * @default every close graphql-ws does not treat as fatal, and a connection that could not be
   * made (refused or reset: the server is down or restarting). graphql-ws's own default does not
   * retry the latter.
   */
  shouldRetry?: NonNullable<ClientOptions['shouldRetry']>;
  /**
   * Waits before the retry numbered `retries` (from 0). Our own restarts and a first re-auth
   * skip it.
   * @default graphql-ws's randomised exponential backoff: 2^retries s plus 0.3–3 s; with the
   * default 5 `retryAttempts`, a server down for 30 s is survived.
   */
  retryWait?: NonNullable<ClientOptions['retryWait']>;
}

/** A graphql-ws `Client` that re-authenticates its socket; use it with `GraphQLWsLink`. */
export interface AuthWsClient extends Client {
  /**
   * Replaces the socket now (or right after the pending `connection_ack`); active
   * subscriptions resume on the new socket without an error. Called for you when the token
   * changes.
   */
  restart(): void;
}

/** Re-auth closes in a row, without a `connection_ack` in between, after which subscriptions end. */
const MAX_CONSECUTIVE_REJECTIONS = 2;

/**
 * What the client remembers of a socket. Kept off the socket itself: graphql-ws hands sockets
 * and their events to the app, and a logger prints them with everything they hold.
 */
interface SocketFacts {
  /** The access token its `connection_init` carried (`null`: none); unset until it is sent. */
  token?: string | null;
  /** The code we closed it with, reported whatever the server echoes. */
  closedWith?: number;
}

const bearer = (token: string | null) => (token ? { authorization: `Bearer ${token}` } : {});

/** What a sink gets for the error graphql-ws ended a subscription with. */
const toSubscriptionError = (error: unknown) =>
  isClose(error) && error.code === AuthCloseCode.Reauthenticate
    ? new SessionExpiredError('The server rejected the refreshed token', { cause: error })
    : error;

/**
 * Creates a graphql-ws client whose every connection carries the manager's current access
 * token, that restarts gracefully when the token changes, re-authenticates after a close in
 * `reauthCloseCodes`, rides out a server that is down or restarting, and ends its
 * subscriptions with `SessionExpiredError` when the session ends. Needs `retryAttempts` ≥ 1
 * (graphql-ws default 5) to reconnect.
 *
 * Closes reach graphql-ws, `on('closed')` and sinks as plain `{ code, reason, wasClean,
 * serverCode }` records, never as the socket's event; no token is kept on the socket.
 */
export function createAuthWsClient(
  manager: AuthWsManager,
  options: AuthWsClientOptions,
): AuthWsClient {
  checkManager(manager, 'createAuthWsClient', ['getAccessToken', 'refresh', 'on']);
  check(typeof options === 'object' && options !== null, 'options', 'an object with url', options);
  const {
    reauthCloseCodes = [AuthCloseCode.Unauthorized, AuthCloseCode.Forbidden],
    connectionParams = bearer,
    shouldRetry = retryByDefault,
    retryWait = randomisedBackoff,
  } = options;
  check(
    Array.isArray(reauthCloseCodes) && reauthCloseCodes.every(Number.isInteger),
    'reauthCloseCodes',
    'an array of integers',
    reauthCloseCodes,
  );

  const facts = new WeakMap<WebSocketLike, SocketFacts>();
  /** The newest socket: the one `connectionParams` runs for, the only one whose events count. */
  let newestSocket: WebSocketLike | undefined;
  /** The open socket the server acknowledged; `undefined` while connecting and once closed. */
  let acknowledgedSocket: WebSocketLike | undefined;
  /** The token of the socket the server rejected: the next connect refreshes it. */
  let rejectedToken: string | undefined;
  /** The newest token of a `tokens` event: `null` after logout, `undefined` before any. */
  let latestToken: string | null | undefined;
  /** Re-auth closes since the last `connection_ack`. */
  let consecutiveRejections = 0;
  /** `restart()` was called and no connect has read the token since. */
  let restartRequested = false;
  /** The coming retry skips the backoff: set by the retry decision, read by `retryWait`. */
  let retryAtOnce = false;
  /** Ends each active subscription with the session's end (on logout). */
  const endOnLogout = new Set<(error: SessionExpiredError) => void>();

  const BaseSocket = (options.webSocketImpl ?? globalThis.WebSocket) as WebSocketClass | undefined;
  const SocketClass =
    BaseSocket &&
    filterSocketEvents(BaseSocket, {
      created(socket) {
        newestSocket = socket;
        facts.set(socket, {});
      },
      // A socket whose connect already failed with an error (e.g. `connectionParams` threw)
      // closes later; graphql-ws shares one event bus across sockets and would take that stale
      // close (4005, fatal) for the newer socket's. Only the newest socket speaks.
      error: (socket) => socket === newestSocket,
      close(socket, event) {
        if (socket !== newestSocket) return undefined;
        acknowledgedSocket = undefined;
        const { token, closedWith } = facts.get(socket) ?? {};
        const rejected = reauthCloseCodes.includes(event.code);
        if (rejected) {
          // An anonymous socket has nothing to refresh: its subscriptions end at once.
          consecutiveRejections = token ? consecutiveRejections + 1 : MAX_CONSECUTIVE_REJECTIONS;
          rejectedToken = token ?? undefined;
        }
        const code = closeCodeForGraphqlWs(event.code, { closedWith, reauthenticate: rejected });
        // A plain record, never the event, whose `target` is the socket.
        return { code, reason: event.reason, wasClean: event.wasClean, serverCode: event.code };
      },
    });

  /** Replaces the acknowledged socket when its token is not the newest or a restart was asked. */
  const restartIfStale = () => {
    const socket = acknowledgedSocket;
    const socketFacts = socket && facts.get(socket);
    // While connecting there is nothing to replace: `connected` calls this again.
    if (!socket || !socketFacts) return;
    if (!restartRequested && (latestToken === undefined || socketFacts.token === latestToken))
      return;
    acknowledgedSocket = undefined;
    restartRequested = false;
    socketFacts.closedWith = AuthCloseCode.TokenChanged;
    socket.close(AuthCloseCode.TokenChanged, 'Token changed');
  };

  const graphqlWsClient = createClient({
    ...options,
    ...(SocketClass && { webSocketImpl: SocketClass }),
    connectionParams: async () => {
      const socket = newestSocket;
      const tokenToReplace = rejectedToken;
      const token = tokenToReplace
        ? await manager.refresh({ failedToken: tokenToReplace })
        : await manager.getAccessToken();
      rejectedToken = undefined;
      const socketFacts = socket && facts.get(socket);
      if (socketFacts) socketFacts.token = token;
      restartRequested = false; // this connect carries the newest token already
      return connectionParams(token);
    },
    shouldRetry: (errorOrClose) => {
      retryAtOnce = retriesAtOnce(errorOrClose);
      return shouldRetryConnection(errorOrClose, {
        mayReauthenticate: consecutiveRejections < MAX_CONSECUTIVE_REJECTIONS,
        shouldRetry,
      });
    },
    retryWait: (retries) => (retryAtOnce ? Promise.resolve() : retryWait(retries)),
  });
  graphqlWsClient.on('connected', (socket) => {
    consecutiveRejections = 0;
    acknowledgedSocket = socket as WebSocketLike;
    restartIfStale(); // the token may have changed while connecting
  });

  const stopListening = [
    manager.on('tokens', (tokens) => {
      latestToken = tokens.accessToken;
      restartIfStale();
    }),
    manager.on('logout', (reason) => {
      latestToken = null;
      // That token's session is over: the next socket connects with what the manager has now.
      rejectedToken = undefined;
      // A refresh that ended the session logs out with its own SessionExpiredError.
      const error = SessionExpiredError.is(reason)
        ? reason
        : new SessionExpiredError(undefined, { cause: reason });
      for (const end of [...endOnLogout]) end(error);
      acknowledgedSocket?.close(AuthCloseCode.SessionEnded, 'Session ended');
    }),
  ];

  /** graphql-ws's `subscribe`, ended by logout and with re-auth failures as SessionExpiredError. */
  function subscribe<Data, Extensions>(
    payload: SubscribePayload,
    sink: Sink<FormattedExecutionResult<Data, Extensions>>,
  ): () => void {
    let finished = false;
    /** Marks the subscription finished; false when it already was, so the sink hears once. */
    const finish = () => {
      if (finished) return false;
      finished = true;
      endOnLogout.delete(endWithSessionExpired);
      return true;
    };
    const endWithSessionExpired = (error: SessionExpiredError) => {
      if (!finish()) return;
      unsubscribe();
      sink.error(error);
    };
    endOnLogout.add(endWithSessionExpired);
    const unsubscribe = graphqlWsClient.subscribe<Data, Extensions>(payload, {
      next(value) {
        if (!finished) sink.next(value);
      },
      error(error) {
        if (finish()) sink.error(toSubscriptionError(error));
      },
      complete() {
        if (finish()) sink.complete();
      },
    });
    return () => {
      if (finish()) unsubscribe();
    };
  }

  return {
    on: graphqlWsClient.on,
    subscribe,
    iterate: <Data, Extensions>(payload: SubscribePayload) =>
      iterateSubscription<FormattedExecutionResult<Data, Extensions>>((sink) =>
        subscribe(payload, sink),
      ),
    terminate: graphqlWsClient.terminate,
    dispose() {
      for (const stop of stopListening) stop();
      // graphql-ws's dispose waits for a pending connect and rejects with whatever ended it (a
      // failed refresh, a disposed manager, a refused connection): nobody is left to tell, and
      // an app that does not await dispose() (a React effect cleanup) must not crash on it.
      return Promise.resolve(graphqlWsClient.dispose()).catch(() => {});
    },
    restart() {
      restartRequested = true;
      restartIfStale();
    },
  };
}
