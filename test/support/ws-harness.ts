/**
 * The graphql-ws client against the real test server: a signed-in `TokenManager` on its
 * `/refresh`, a `createAuthWsClient` on its `/graphql`, what the client reports (connections,
 * closes), and `ticks` subscriptions that record what their sink sees.
 */
import { print } from 'graphql';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { TicksDocument } from '../../fixtures/__generated__/graphql.js';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { TokenManager } from '../../src/token/manager.js';
import type { TokenManagerOptions } from '../../src/token/types.js';
import { type AuthWsClientOptions, createAuthWsClient } from '../../src/ws.js';
import { texts, tokensIn } from './leaks.js';
import { condition } from './wait.js';

/** The generated `Ticks` subscription as graphql-ws sends it: a string, `$intervalMs`. */
export const TICKS = print(TicksDocument);

/** One `ticks` subscription through `client.subscribe`, recording everything its sink sees. */
export function watchTicks(client: ReturnType<typeof createAuthWsClient>, intervalMs = 10) {
  const changes = condition();
  const values: number[] = [];
  const errors: unknown[] = [];
  let completed = 0;
  const stop = client.subscribe<{ ticks: number }, unknown>(
    { query: TICKS, variables: { intervalMs } },
    {
      next: (result) => {
        if (result.data) values.push(result.data.ticks);
        if (result.errors) errors.push(result.errors);
        changes.poke();
      },
      error: (error) => {
        errors.push(error);
        changes.poke();
      },
      complete: () => {
        completed++;
        changes.poke();
      },
    },
  );
  return {
    values,
    errors,
    get completed() {
      return completed;
    },
    stop,
    /** Waits for `count` more values than received so far. */
    more(count: number, what = `${count} more ticks`) {
      const target = values.length + count;
      return changes.until(() => values.length >= target, what);
    },
    error(what = 'a subscription error') {
      return changes.until(() => errors.length > 0, what).then(() => errors[0]);
    },
    /** Waits until the sink completed or got an error. */
    ended(what = 'the subscription to end') {
      return changes.until(() => completed > 0 || errors.length > 0, what);
    },
  };
}

export interface WsHarnessOptions {
  server?: TestServerOptions;
  manager?: Partial<TokenManagerOptions>;
  client?: Partial<AuthWsClientOptions>;
}

/** A real server, a real TokenManager on its `/refresh`, a signed-in session and a ws client. */
async function startWsHarness(options: WsHarnessOptions = {}) {
  const server: TestServer = await startTestServer(options.server);
  const manager = new TokenManager({
    refresh: httpRefresh(server.refreshUrl),
    retry: { attempts: 1 },
    ...(options.server?.now && { now: options.server.now }),
    ...options.manager,
  });
  const session = await server.login();
  await manager.setTokens(session);
  const tokens: string[] = [session.accessToken];
  manager.on('tokens', (next) => tokens.push(next.accessToken));
  const events = condition();
  let connected = 0;
  const closed: number[] = [];
  const reasons: string[] = [];
  const client = createAuthWsClient(manager, {
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    ...options.client,
  });
  client.on('connected', () => {
    connected++;
    events.poke();
  });
  client.on('closed', (event) => {
    closed.push((event as { code: number }).code);
    reasons.push(String((event as { reason?: unknown }).reason));
    events.poke();
  });
  return {
    server,
    manager,
    client,
    session,
    /** Every access token the manager held, in order (the login one first). */
    tokens,
    get connected() {
      return connected;
    },
    /** The code of every close the client reported, in order. */
    closed,
    /**
     * Where a token of the session (every access token it held, its refresh token) shows up in
     * a close reason the client reported or in `printed`: empty when nothing leaked.
     */
    leaks(...printed: string[]): string[] {
      return tokensIn(
        [...tokens, session.refreshToken],
        [...texts('close reason', reasons), ...texts('printed', printed)],
      );
    },
    untilConnected(count: number) {
      return events.until(() => connected >= count, `connection #${count}`);
    },
    untilClosed(count: number) {
      return events.until(() => closed.length >= count, `close #${count}`);
    },
    async close() {
      await client.dispose();
      manager.dispose();
      await server.close();
    },
  };
}

export type WsHarness = Awaited<ReturnType<typeof startWsHarness>>;

/**
 * `start(options)` builds the harness of one test; it is closed after that test.
 * `current()` is the harness of the running test (for callbacks built before it exists).
 */
export function useWsHarness() {
  let harness: WsHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  return {
    start: async (options?: WsHarnessOptions) => {
      harness = await startWsHarness(options);
      return harness;
    },
    current: () => harness,
  };
}

/**
 * A `retryWait` the test releases by hand: a down window is driven by the client's own retry
 * events instead of real backoff timers. `waits` holds the `retries` argument of each call.
 */
export function steppedRetryWait() {
  const waits: number[] = [];
  const pending: (() => void)[] = [];
  const events = condition();
  return {
    waits,
    retryWait: (retries: number) =>
      new Promise<void>((resolve) => {
        waits.push(retries);
        pending.push(resolve);
        events.poke();
      }),
    /** Resolves once the client waits before its `count`th retry. */
    untilWaiting(count: number) {
      return events.until(() => waits.length >= count, `retry wait #${count}`);
    },
    /** Ends every pending wait: the client retries now. */
    release() {
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}
