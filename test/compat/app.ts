import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { WebSocket } from 'ws';
import { EchoDocument, TicksDocument } from '../../fixtures/__generated__/graphql.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import {
  createTokenRefreshLink,
  TokenManager,
  type TokenManagerOptions,
  type TokenSet,
} from '../../src/index.js';
import { type AuthWsClient, type AuthWsClientOptions, createAuthWsClient } from '../../src/ws.js';
import type { TokenEndpoint } from './token-endpoint.js';
import type { World } from './world.js';

// Apollo's GraphQLWsLink reads the global `WebSocket` when a socket fails (browsers and Node 22
// have one; Node 20 does not, and the link would throw a ReferenceError instead of erroring the
// subscription). The suite plays a browser app, so it gets the global a browser has.
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

// `Echo` and `Ticks` are the generated documents of the test server's schema: the suite's
// schema (schema.ts) declares `echo` and `ticks` alike. `me` (a string here) and `record` are
// this schema's own.
const ME = gql`
  query Me {
    me
  }
`;
const RECORD = gql`
  mutation Record($id: ID!) {
    record(id: $id)
  }
`;

export interface AppOptions {
  world: World;
  endpoint: TokenEndpoint;
  /** GraphQL over HTTP (queries, mutations). */
  httpUrl: string;
  /** graphql-ws (subscriptions). */
  wsUrl: string;
  /** How far the device clock is off the servers' one. @default 0 */
  skewMs?: number;
  manager?: Partial<TokenManagerOptions>;
  ws?: Partial<AuthWsClientOptions>;
  /** The HTTP links in front of `HttpLink`. @default createTokenRefreshLink(manager) */
  authLink?: (manager: TokenManager) => ApolloLink;
}

/** What one `ticks` subscription saw. */
export interface TickWatch {
  readonly values: number[];
  /** Errors handed to the subscription (its `error` callback or an `error` result). */
  readonly errors: unknown[];
  /**
   * Resolves `true` once `count` more ticks arrived, `false` when the subscription errored first or
   * they did not come within `ms` of real time.
   */
  more(count: number, ms?: number): Promise<boolean>;
  stop(): void;
}

/**
 * An app as a user builds it from the README: a TokenManager on the token endpoint, an
 * ApolloClient whose HTTP chain is `createTokenRefreshLink` + `HttpLink` and whose subscriptions
 * go through `createAuthWsClient` + `GraphQLWsLink`. Everything the app would see is recorded.
 */
export function startApp(options: AppOptions) {
  const { world, endpoint } = options;
  const manager = new TokenManager({
    // POSTs `{ refreshToken }`, rejects with the HTTP status of a refusal, returns the JSON
    // answer as it is: what the README's quick start does.
    refresh: httpRefresh(endpoint.refreshUrl),
    now: world.deviceClock(options.skewMs ?? 0),
    ...options.manager,
  });
  /** Operations that failed, as the app got them. */
  const failures: unknown[] = [];
  const logouts: unknown[] = [];
  /** `refreshFailed` events. */
  const refreshFailures: unknown[] = [];
  /** What the ws client's `closed` and `error` events handed to listeners. */
  const wsEvents: unknown[] = [];
  let connecting = 0;
  let wsClosed = 0;
  manager.on('logout', (reason) => {
    logouts.push(reason);
    world.changed();
  });
  manager.on('refreshFailed', (error) => refreshFailures.push(error));

  const ws: AuthWsClient = createAuthWsClient(manager, {
    url: options.wsUrl,
    webSocketImpl: WebSocket,
    // A reconnect a second apart: a server down for ~5 s costs about five attempts.
    retryAttempts: 10,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 1_000)),
    ...options.ws,
  });
  ws.on('connecting', () => {
    connecting++;
    world.changed();
  });
  ws.on('closed', (event) => {
    wsClosed++;
    wsEvents.push(event);
    world.changed();
  });
  ws.on('error', (error) => {
    wsEvents.push(error);
    world.changed();
  });

  const http = ApolloLink.from([
    (options.authLink ?? createTokenRefreshLink)(manager),
    new HttpLink({ uri: options.httpUrl }),
  ]);
  const apollo = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.split(
      (op) => op.operationType === OperationTypeNode.SUBSCRIPTION,
      new GraphQLWsLink(ws),
      http,
    ),
  });

  /** Runs an operation; a failure is recorded and resolves `undefined`. */
  const attempt = async <T>(operation: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await operation();
    } catch (error) {
      failures.push(error);
      return undefined;
    }
  };
  const watches: TickWatch[] = [];
  let closed = false;

  return {
    manager,
    apollo,
    ws,
    failures,
    logouts,
    refreshFailures,
    wsEvents,
    /** `connecting` events of the ws client so far. */
    get connecting() {
      return connecting;
    },
    /** `closed` events of the ws client so far. */
    get wsClosed() {
      return wsClosed;
    },
    /** Signs in at the token endpoint and hands the tokens to the manager. */
    async signIn(user = 'alice') {
      const res = await fetch(endpoint.loginUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user }),
      });
      await manager.setTokens((await res.json()) as TokenSet);
    },
    echo: (value: number) =>
      attempt(async () => {
        const { data } = await apollo.query({
          query: EchoDocument,
          variables: { n: value },
          fetchPolicy: 'no-cache',
        });
        return data?.echo;
      }),
    me: () =>
      attempt(async () => {
        const { data } = await apollo.query<{ me: string }>({ query: ME, fetchPolicy: 'no-cache' });
        return data?.me;
      }),
    /** Runs the counted mutation for `id`; resolves the server's count of its executions. */
    record: (id: string) =>
      attempt(async () => {
        const { data } = await apollo.mutate<{ record: number }>({
          mutation: RECORD,
          variables: { id },
        });
        return data?.record;
      }),
    watchTicks(intervalMs = 20): TickWatch {
      const values: number[] = [];
      const errors: unknown[] = [];
      const subscription = apollo
        .subscribe({ query: TicksDocument, variables: { intervalMs } })
        .subscribe({
          next: (result) => {
            if (result.error) errors.push(result.error);
            else if (result.data) values.push(result.data.ticks);
            world.changed();
          },
          error: (error: unknown) => {
            errors.push(error);
            world.changed();
          },
        });
      const watch: TickWatch = {
        values,
        errors,
        more(count, ms = 4_000) {
          const target = values.length + count;
          return world
            .until(() => values.length >= target || errors.length > 0, `${count} more ticks`, ms)
            .then(
              () => values.length >= target,
              () => false,
            );
        },
        stop: () => subscription.unsubscribe(),
      };
      watches.push(watch);
      return watch;
    },
    /** Closes the app (once; later calls do nothing). */
    async close() {
      if (closed) return;
      closed = true;
      for (const watch of watches) watch.stop();
      apollo.stop();
      // Awaited here; what an un-awaited dispose does is a test of its own.
      await Promise.resolve(ws.dispose()).catch(() => {});
      manager.dispose();
    },
  };
}

export type App = ReturnType<typeof startApp>;
