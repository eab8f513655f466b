import {
  type Client,
  type ClientOptions,
  createClient,
  type FormattedExecutionResult,
  type Sink,
  type SubscribePayload,
} from 'graphql-ws';
import { check } from '../../internal/check.js';
import { RefreshFailedError, SessionExpiredError } from '../../token/errors.js';
import type { TokenManager } from '../../token/manager.js';
import { AuthCloseCode as C, type CloseLike, isClose } from './close-codes.js';

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

/** Consecutive re-auth closes, without an ack in between, after which subscriptions end. */
const MAX_REAUTH = 2;

interface Sock {
  readyState: number;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'close', listener: (e: CloseLike & { wasClean?: boolean }) => void): void;
  addEventListener(type: 'error', listener: (e: object) => void): void;
}
type SockClass = new (url: string, protocol: string) => Sock;
type Handler = ((e: unknown) => void) | null;

const backoff = (n: number) =>
  new Promise<void>((r) => setTimeout(r, 1000 * 2 ** n + 300 + Math.random() * 2700));

/**
 * Creates a graphql-ws client whose every connection carries the manager's current access
 * token, that restarts gracefully when the token changes, re-authenticates after a close in
 * `reauthCloseCodes` and ends its subscriptions with `SessionExpiredError` when the session
 * ends. Needs `retryAttempts` ≥ 1 (graphql-ws default 5) to reconnect.
 */
export function createAuthWsClient(
  manager: AuthWsManager,
  options: AuthWsClientOptions,
): AuthWsClient {
  const { reauthCloseCodes: codes = [C.Unauthorized, C.Forbidden], connectionParams: params } =
    options;
  check(
    Array.isArray(codes) && codes.every(Number.isInteger),
    'reauthCloseCodes',
    'an array of integers',
    codes,
  );

  /** Newest socket (the one `connectionParams` runs for) and the acknowledged, open one. */
  let cur: Sock | undefined;
  /**
   * The token each socket sent (`t`) and the code we closed it with (`k`), kept off the socket:
   * graphql-ws hands sockets and their events to the app, and a logger prints them.
   */
  const facts = new WeakMap<Sock, { t?: string | null; k?: number }>();
  let live: typeof cur;
  /** Token of the socket the server rejected; the next connect refreshes it. */
  let failed: string | undefined;
  /** Newest token seen in a `tokens` event (`null` after logout, `undefined` before any). */
  let latest: string | null | undefined;
  let rej = 0;
  let force = false;
  let quick = false;
  const ending = new Set<(e: SessionExpiredError) => void>();
  /** Error events of our sockets: the connection failed (refused, reset), the server may be back soon. */
  const socketErrors = new WeakSet<object>();
  // graphql-ws's default retries closes only: a server down or restarting refuses the
  // connection (an error event) and would end every subscription at the first attempt.
  const retryByDefault = (e: unknown) => isClose(e) || socketErrors.has(e as object);

  const Base = (options.webSocketImpl ?? globalThis.WebSocket) as SockClass | undefined;
  // Sees every close first: records which token was rejected, and renames re-auth codes so
  // graphql-ws asks `shouldRetry` (it drops 4401 as fatal otherwise). `onclose` is our own
  // property, so the implementation's handler slot is never touched.
  const Impl =
    Base &&
    class extends Base {
      constructor(url: string, protocol: string) {
        super(url, protocol);
        cur = this;
        const f: { t?: string | null; k?: number } = {};
        facts.set(this, f);
        let h: Handler = null;
        let he: Handler = null;
        Object.defineProperty(this, 'onclose', { get: () => h, set: (f: Handler) => (h = f) });
        Object.defineProperty(this, 'onerror', { get: () => he, set: (f: Handler) => (he = f) });
        this.addEventListener('error', (e) => {
          if (cur !== this) return;
          socketErrors.add(e);
          he?.(e);
        });
        this.addEventListener('close', (e) => {
          // A socket whose connect already failed with an error (e.g. `connectionParams`
          // threw) closes later; graphql-ws shares one event bus across sockets and would
          // take that stale close (4005, fatal) for the newer socket's. Only the newest speaks.
          if (cur !== this) return;
          live = undefined;
          const r = codes.includes(e.code);
          if (r) {
            rej = f.t ? rej + 1 : MAX_REAUTH; // an anonymous socket has nothing to refresh
            failed = f.t ?? undefined;
          }
          // Our restart keeps its code whatever the server echoed (1000, or none: 1005). A
          // plain record, never the event: its `target` is the socket.
          const code = f.k ?? (r ? C.Reauthenticate : e.code);
          h?.({ code, reason: e.reason, wasClean: e.wasClean, serverCode: e.code });
        });
      }
    };

  /** Decides, for graphql-ws, whether a failed or closed connection is retried. */
  const retryable = (e: unknown): boolean => {
    const code = isClose(e) ? e.code : 0;
    // Our own restarts and a first re-auth reconnect at once, skipping the backoff.
    quick = code === C.TokenChanged || code === C.Reauthenticate;
    // TokenChanged: we closed the socket to replace it.
    if (code === C.TokenChanged) return true;
    // Reauthenticate: retry with a refreshed token, but not when the refreshed one was
    // rejected too; the sinks then get a SessionExpiredError (see `toError`).
    if (code === C.Reauthenticate) return rej < MAX_REAUTH;
    // Thrown by `connectionParams`: the refresh ended the session.
    if (SessionExpiredError.is(e)) return false;
    // Thrown by `connectionParams`: transient refresh failure; back off and try again.
    if (RefreshFailedError.is(e)) return true;
    return (options.shouldRetry ?? retryByDefault)(e);
  };

  const toError = (e: unknown) =>
    isClose(e) && e.code === C.Reauthenticate
      ? new SessionExpiredError('The server rejected the refreshed token', { cause: e })
      : e;

  const renew = () => {
    const f = live && facts.get(live);
    if (live && f && (force || (latest !== undefined && f.t !== latest))) {
      const s = live;
      live = undefined;
      force = false;
      f.k = C.TokenChanged;
      s.close(f.k, 'Token changed');
    }
  };

  const c = createClient({
    ...options,
    ...(Impl && { webSocketImpl: Impl }),
    connectionParams: async () => {
      const s = cur;
      const f = failed;
      const t = f ? await manager.refresh({ failedToken: f }) : await manager.getAccessToken();
      failed = undefined;
      const sf = s && facts.get(s);
      if (sf) sf.t = t;
      force = false; // this connect already carries the newest token
      return params ? params(t) : t ? { authorization: `Bearer ${t}` } : {};
    },
    shouldRetry: retryable,
    retryWait: (n) => (quick ? Promise.resolve() : (options.retryWait ?? backoff)(n)),
  });
  c.on('connected', (s) => {
    rej = 0;
    live = s as typeof cur;
    renew();
  });

  const offs = [
    manager.on('tokens', (tokens) => {
      latest = tokens.accessToken;
      renew();
    }),
    manager.on('logout', (why) => {
      latest = null;
      // A refresh that ended the session logs out with its own SessionExpiredError.
      const e = SessionExpiredError.is(why)
        ? why
        : new SessionExpiredError(undefined, { cause: why });
      for (const end of [...ending]) end(e);
      live?.close(C.SessionEnded, 'Session ended');
    }),
  ];

  function subscribe<D, E>(
    payload: SubscribePayload,
    sink: Sink<FormattedExecutionResult<D, E>>,
  ): () => void {
    let done = false;
    const fin = () => {
      if (done) return false;
      done = true;
      return ending.delete(end);
    };
    const end = (e: SessionExpiredError) => {
      if (fin()) {
        off();
        sink.error(e);
      }
    };
    ending.add(end);
    const off = c.subscribe<D, E>(payload, {
      next: (v) => done || sink.next(v),
      error: (e) => fin() && sink.error(toError(e)),
      complete: () => fin() && sink.complete(),
    });
    return () => fin() && off();
  }

  return {
    on: c.on,
    subscribe,
    iterate<D, E>(payload: SubscribePayload) {
      type R = FormattedExecutionResult<D, E>;
      const q: R[] = [];
      let wake = () => {};
      let fin: { e?: unknown } | undefined;
      const push = (f?: typeof fin, v?: R) => {
        if (f) fin ??= f;
        else q.push(v as R);
        wake();
      };
      const off = subscribe<D, E>(payload, {
        next: (v) => push(undefined, v),
        error: (e) => push({ e }),
        complete: () => push({}),
      });
      // A plain iterator rather than a generator: `return()` must end a pending `next()`.
      const it: AsyncIterableIterator<R> = {
        async next() {
          while (!q.length && !fin) await new Promise<void>((r) => (wake = r));
          if (q.length) return { value: q.shift() as R, done: false };
          const f = fin;
          fin = {}; // the error is thrown once, then the iterator is done
          if (f && 'e' in f) throw f.e;
          return { value: undefined, done: true };
        },
        async return() {
          q.length = 0;
          push({});
          off();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]: () => it,
      };
      return it;
    },
    terminate: c.terminate,
    dispose() {
      for (const off of offs) off();
      // graphql-ws's dispose waits for a pending connect and rejects with whatever ended it (a
      // failed refresh, a disposed manager, a refused connection): nobody is left to tell, and
      // an app that does not await dispose() (a React effect cleanup) must not crash on it.
      return Promise.resolve(c.dispose()).catch(() => {});
    },
    restart() {
      force = true;
      renew();
    },
  };
}
