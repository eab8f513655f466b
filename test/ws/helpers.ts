import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { type AuthWsClientOptions, createAuthWsClient } from '../../src/links/ws/index.js';
import { TokenManager } from '../../src/token/manager.js';
import type { TokenManagerOptions } from '../../src/token/types.js';

/** Rejects with a message naming `what` when `p` does not settle within `ms`. */
export function within<T>(p: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `cond()` holds, re-checked whenever `poke()` is called. */
export function condition() {
  const waiters = new Set<{ cond: () => boolean; resolve: () => void }>();
  return {
    poke() {
      for (const w of [...waiters])
        if (w.cond()) {
          waiters.delete(w);
          w.resolve();
        }
    },
    until(cond: () => boolean, what: string, ms?: number): Promise<void> {
      if (cond()) return Promise.resolve();
      return within(new Promise<void>((resolve) => waiters.add({ cond, resolve })), what, ms);
    },
  };
}

export const TICKS = 'subscription Ticks($ms: Int) { ticks(intervalMs: $ms) }';

/** One `ticks` subscription through `client.subscribe`, recording everything its sink sees. */
export function watchTicks(client: ReturnType<typeof createAuthWsClient>, intervalMs = 10) {
  const c = condition();
  const values: number[] = [];
  const errors: unknown[] = [];
  let completed = 0;
  const stop = client.subscribe<{ ticks: number }, unknown>(
    { query: TICKS, variables: { ms: intervalMs } },
    {
      next: (r) => {
        if (r.data) values.push(r.data.ticks);
        if (r.errors) errors.push(r.errors);
        c.poke();
      },
      error: (e) => {
        errors.push(e);
        c.poke();
      },
      complete: () => {
        completed++;
        c.poke();
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
      return c.until(() => values.length >= target, what);
    },
    error(what = 'a subscription error') {
      return c.until(() => errors.length > 0, what).then(() => errors[0]);
    },
    /** Waits until the sink completed or got an error. */
    ended(what = 'the subscription to end') {
      return c.until(() => completed > 0 || errors.length > 0, what);
    },
  };
}

/** A real server, a real TokenManager on its `/refresh`, a signed-in session and a ws client. */
export async function setup(
  o: {
    server?: TestServerOptions;
    manager?: Partial<TokenManagerOptions>;
    client?: Partial<AuthWsClientOptions>;
  } = {},
) {
  const server: TestServer = await startTestServer(o.server);
  const manager = new TokenManager({
    refresh: httpRefresh(server.refreshUrl),
    retry: { attempts: 1 },
    ...(o.server?.now && { now: o.server.now }),
    ...o.manager,
  });
  const session = await server.login();
  await manager.setTokens(session);
  const tokens: string[] = [session.accessToken];
  manager.on('tokens', (t) => tokens.push(t.accessToken));
  const events = condition();
  let connected = 0;
  let closed: number[] = [];
  const reasons: string[] = [];
  const client = createAuthWsClient(manager, {
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    ...o.client,
  });
  client.on('connected', () => {
    connected++;
    events.poke();
  });
  client.on('closed', (e) => {
    closed.push((e as { code: number }).code);
    reasons.push(String((e as { reason?: unknown }).reason));
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
      return [...tokens, session.refreshToken].every((t) => all.every((x) => !x.includes(t)));
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
    start: async (o?: Parameters<typeof setup>[0]) => {
      env = await setup(o);
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
