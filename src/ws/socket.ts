import type { CloseLike } from './close-codes.js';

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
