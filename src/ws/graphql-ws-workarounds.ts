/**
 * Everything the client does that depends on how graphql-ws works inside rather than on its
 * documented options, in one place. Written against graphql-ws 6 (checked with 6.0 to 6.4): on a
 * new major version, re-check each of the three below first.
 *
 * 1. Socket handler takeover (`filterSocketEvents`): graphql-ws assigns `onclose`/`onerror` on
 *    each socket and shares one event bus across sockets, so a late close of an old socket would
 *    be taken for the new one's. We give it a WebSocket subclass whose handler slots only hear
 *    what we let through.
 * 2. The re-auth close renaming (`closeCodeForGraphqlWs`): graphql-ws treats some close codes
 *    (4401 among them) as fatal before it asks `shouldRetry`, so a server's re-auth close is
 *    reported to it under a code of ours.
 * 3. Its default `retryWait`, which it does not export (`randomisedBackoff`): ours replaces the
 *    option to skip the wait for our own reconnects, and falls back to the same backoff.
 */
import { AuthCloseCode, type CloseLike } from './close-codes.js';

/** The part of the standard WebSocket interface (browsers, `ws`) the client relies on. */
export interface WebSocketLike {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'close',
    listener: (event: CloseLike & { wasClean?: boolean }) => void,
  ): void;
  addEventListener(type: 'error', listener: (event: object) => void): void;
}

/** A WebSocket constructor as graphql-ws calls it. */
export type WebSocketClass = new (url: string, protocol: string) => WebSocketLike;

/** Decides, for each event of a socket, what graphql-ws's handlers get. */
export interface SocketEventFilter {
  /** A socket was just created: graphql-ws connects with it next. */
  created(socket: WebSocketLike): void;
  /** What graphql-ws's `onclose` gets for this close; it hears nothing of it for `undefined`. */
  close(socket: WebSocketLike, event: CloseLike & { wasClean?: boolean }): CloseLike | undefined;
  /** Whether graphql-ws's `onerror` gets this error event. */
  error(socket: WebSocketLike): boolean;
}

type Handler = ((event: unknown) => void) | null;

/** Error events our sockets handed to graphql-ws: the connection failed (refused, reset). */
const connectionFailures = new WeakSet<object>();

/**
 * True for an error event of a socket made by {@link filterSocketEvents}: the connection could
 * not be made or broke, so the server may well be back later (down, restarting, a network
 * change), unlike an error thrown by `connectionParams` or a protocol error.
 */
export const isConnectionFailure = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && connectionFailures.has(value);

/**
 * A subclass of `Base` to give graphql-ws as `webSocketImpl`: the `onclose` and `onerror`
 * handlers graphql-ws assigns to each socket only hear what `filter` lets through. The handler
 * slots are own properties of each socket (the implementation's own are never touched), and
 * `filter` sees every event before graphql-ws does.
 */
export function filterSocketEvents(
  Base: WebSocketClass,
  filter: SocketEventFilter,
): WebSocketClass {
  return class extends Base {
    constructor(url: string, protocol: string) {
      super(url, protocol);
      filter.created(this);
      let closeHandler: Handler = null;
      let errorHandler: Handler = null;
      Object.defineProperties(this, {
        onclose: { get: () => closeHandler, set: (handler: Handler) => (closeHandler = handler) },
        onerror: { get: () => errorHandler, set: (handler: Handler) => (errorHandler = handler) },
      });
      this.addEventListener('close', (event) => {
        const forwarded = filter.close(this, event);
        if (forwarded) closeHandler?.(forwarded);
      });
      this.addEventListener('error', (event) => {
        if (!filter.error(this)) return;
        connectionFailures.add(event);
        errorHandler?.(event);
      });
    }
  };
}

/**
 * The close code graphql-ws is told for a socket's close: our own restart keeps the code we
 * closed it with whatever the server echoed (1000, or none: 1005); a server's re-auth close
 * becomes `Reauthenticate`, which graphql-ws does not treat as fatal.
 */
export function closeCodeForGraphqlWs(
  serverCode: number,
  { closedWith, reauthenticate }: { closedWith: number | undefined; reauthenticate: boolean },
): number {
  return closedWith ?? (reauthenticate ? AuthCloseCode.Reauthenticate : serverCode);
}

/**
 * graphql-ws's default `retryWait`, which it does not export, used when the app sets none:
 * 2^retries seconds plus 0.3–3 s. With the default 5 `retryAttempts`, the last retry comes
 * 32.5–46 s after the connection was lost, so a server down for 30 s is survived.
 */
export const randomisedBackoff = (retries: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** retries + 300 + Math.random() * 2700));
