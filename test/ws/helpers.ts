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

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `holds()` is true, re-checked whenever `poke()` is called. */
export function condition() {
  const waiters = new Set<{ holds: () => boolean; resolve: () => void }>();
  return {
    poke() {
      for (const waiter of [...waiters])
        if (waiter.holds()) {
          waiters.delete(waiter);
          waiter.resolve();
        }
    },
    until(holds: () => boolean, what: string, ms?: number): Promise<void> {
      if (holds()) return Promise.resolve();
      return within(new Promise<void>((resolve) => waiters.add({ holds, resolve })), what, ms);
    },
  };
}

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
    /** Waits for `n` more values than received so far. */
    more(n: number, what = `${n} more ticks`) {
      const target = values.length + n;
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

/** A real server, a real TokenManager on its `/refresh`, a signed-in session and a ws client. */
export async function setup(
  options: {
    server?: TestServerOptions;
    manager?: Partial<TokenManagerOptions>;
    client?: Partial<AuthWsClientOptions>;
  } = {},
) {
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
  let closed: number[] = [];
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
    get closed() {
      return closed;
    },
    /** True when no close reason and none of `texts` contains any token of the session. */
    tokenFree(...texts: string[]) {
      const all = [...reasons, ...texts];
      return [...tokens, session.refreshToken].every((token) =>
        all.every((text) => !text.includes(token)),
      );
    },
    resetClosed() {
      closed = [];
    },
    untilConnected(n: number) {
      return events.until(() => connected >= n, `connection #${n}`);
    },
    untilClosed(n: number) {
      return events.until(() => closed.length >= n, `close #${n}`);
    },
    async teardown() {
      await client.dispose();
      manager.dispose();
      await server.close();
    },
  };
}

type Env = Awaited<ReturnType<typeof setup>>;

/**
 * `start(options)` builds the environment of one test; it is torn down after that test.
 * `current()` is the environment of the running test (for callbacks built before it exists).
 */
export function useSetup() {
  let env: Env | undefined;
  afterEach(async () => {
    await env?.teardown();
    env = undefined;
  });
  return {
    start: async (options?: Parameters<typeof setup>[0]) => {
      env = await setup(options);
      return env;
    },
    current: () => env,
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
    /** Resolves once the client waits before its `n`th retry. */
    untilWaiting(n: number) {
      return events.until(() => waits.length >= n, `retry wait #${n}`);
    },
    /** Ends every pending wait: the client retries now. */
    release() {
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}
