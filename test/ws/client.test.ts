import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import { AuthCloseCode, createAuthWsClient } from '../../src/ws.js';
import { condition, within } from '../support/wait.js';
import { TICKS, useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start, current } = useWsHarness();

describe('createAuthWsClient options and interface', () => {
  it("chains the user's on.connected and shouldRetry instead of replacing them", async () => {
    const connected: unknown[] = [];
    const asked: number[] = [];
    const e = await start({
      client: {
        on: { connected: (s) => connected.push(s) },
        shouldRetry: (error) => {
          asked.push((error as { code: number }).code);
          return true;
        },
        retryWait: () => Promise.resolve(),
      },
    });
    const sub = watchTicks(e.client);
    await sub.more(2);
    e.server.closeWsConnections(4000, 'custom'); // not ours: the user's shouldRetry decides
    await e.untilConnected(2);
    await e.manager.refresh(); // ours: a graceful restart, not the user's business
    await e.untilConnected(3);
    await sub.more(2);
    expect(connected).toHaveLength(3);
    expect(asked).toEqual([4000]);
    expect(sub.errors).toEqual([]);
  });

  it('a user shouldRetry returning false still ends the subscription with the close event', async () => {
    const e = await start({ client: { shouldRetry: () => false } });
    const sub = watchTicks(e.client);
    await sub.more(1);
    e.server.closeWsConnections(4000, 'custom');
    const error = (await sub.error()) as { code: number };
    expect(error.code).toBe(4000);
  });

  it('lazy: false reconnects with the new token and never reports a non-lazy error', async () => {
    const nonLazy: unknown[] = [];
    const e = await start({ client: { lazy: false, onNonLazyError: (x) => nonLazy.push(x) } });
    await e.untilConnected(1);
    await e.manager.refresh();
    await e.untilConnected(2);
    expect(e.server.counters.wsConnections.map((c) => c.token)).toEqual(e.tokens);
    expect(nonLazy).toEqual([]);
  });

  it('uses custom connectionParams with the token', async () => {
    const seen: (string | null)[] = [];
    const e = await start({
      client: {
        connectionParams: (token) => {
          seen.push(token);
          return { authorization: `Bearer ${token}`, extra: 1 };
        },
      },
    });
    const sub = watchTicks(e.client);
    await sub.more(1);
    expect(seen).toEqual([e.session.accessToken]);
  });

  it('a token change while connecting is applied once the socket is acknowledged', async () => {
    let switched = false;
    let newer = '';
    const e = await start({
      client: {
        // Runs after the token was read: the connect already carries the old one.
        connectionParams: async (token) => {
          if (!switched) {
            switched = true;
            const s = await current()?.server.login('bob');
            if (s) {
              newer = s.accessToken;
              await current()?.manager.setTokens(s);
            }
          }
          return { authorization: `Bearer ${token}` };
        },
      },
    });
    const sub = watchTicks(e.client);
    await e.untilConnected(2);
    await sub.more(2);
    expect(e.server.counters.wsConnections.map((c) => c.token)).toEqual([
      e.session.accessToken,
      newer,
    ]);
    expect(e.closed).toEqual([AuthCloseCode.TokenChanged]);
    expect(sub.errors).toEqual([]);
  });

  it('a token change before the token is read needs no restart', async () => {
    const e = await start();
    const next = await e.server.login('bob');
    const opened = condition();
    let n = 0;
    e.client.on('opened', () => {
      n++;
      opened.poke();
    });
    const sub = watchTicks(e.client);
    await opened.until(() => n > 0, 'the socket to open');
    await e.manager.setTokens(next);
    await sub.more(3);
    expect(e.server.counters.wsConnections.length).toBeLessThanOrEqual(2);
    expect(e.server.counters.wsConnections.at(-1)?.token).toBe(next.accessToken);
    expect(sub.errors).toEqual([]);
  });

  it('restart() replaces the socket; subscriptions continue without an error', async () => {
    const e = await start();
    const sub = watchTicks(e.client);
    await sub.more(2);
    e.client.restart();
    await e.untilConnected(2);
    await sub.more(2);
    expect(e.closed).toEqual([AuthCloseCode.TokenChanged]);
    expect(e.server.counters.wsConnections.map((c) => c.token)).toEqual([
      e.session.accessToken,
      e.session.accessToken,
    ]);
    expect(sub.errors).toEqual([]);
  });

  it('a restart stays immediate when the close code does not come back (1005)', async () => {
    // A socket that closes without a code: the event then says 1005, as with a server that
    // does not echo the client's close code.
    class NoEcho extends WebSocket {
      override close() {
        super.close();
      }
    }
    let waits = 0;
    const e = await start({
      client: {
        webSocketImpl: NoEcho,
        retryWait: async () => {
          waits++;
        },
      },
    });
    const sub = watchTicks(e.client);
    await sub.more(2);
    await e.manager.refresh();
    await e.untilConnected(2);
    await sub.more(2);
    expect(e.closed).toEqual([AuthCloseCode.TokenChanged]);
    expect(waits).toBe(0);
    expect(sub.errors).toEqual([]);
  });

  it('iterate() survives a restart and throws SESSION_EXPIRED on logout', async () => {
    const e = await start();
    const it = e.client.iterate<{ ticks: number }, unknown>({
      query: TICKS,
      variables: { intervalMs: 10 },
    });
    const seen: number[] = [];
    const run = (async () => {
      for await (const r of it) {
        seen.push(r.data?.ticks ?? -1);
        if (seen.length === 3) void e.manager.refresh();
        if (seen.length === 3 + 5) await e.manager.logout();
      }
    })();
    const error = await within(
      run.then(
        () => undefined,
        (error: unknown) => error,
      ),
      'the iterator to end',
    );
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(e.connected).toBe(2);
    expect(seen.length).toBeGreaterThanOrEqual(8);
  });

  it('iterate().return() ends a pending next() and unsubscribes', async () => {
    const e = await start();
    const it = e.client.iterate({ query: TICKS, variables: { intervalMs: 60_000 } });
    const pending = it.next();
    await e.untilConnected(1);
    await it.return?.();
    await expect(within(pending, 'the pending next()')).resolves.toEqual({
      value: undefined,
      done: true,
    });
    await e.untilClosed(1);
    expect(e.closed).toEqual([1000]);
  });

  it('dispose() removes its manager listeners', async () => {
    const e = await start();
    const sub = watchTicks(e.client);
    await sub.more(1);
    await e.client.dispose();
    await e.untilClosed(1);
    await e.manager.refresh();
    await e.manager.logout();
    expect(e.server.counters.wsConnections).toHaveLength(1);
    expect(sub.errors).toEqual([]);
    expect(sub.completed).toBe(1);
  });

  it('validates reauthCloseCodes', () => {
    const manager = new TokenManager({ refresh: async () => ({ accessToken: 'x' }) });
    expect(() =>
      createAuthWsClient(manager, {
        url: 'ws://127.0.0.1:1',
        webSocketImpl: WebSocket,
        reauthCloseCodes: ['4401' as unknown as number],
      }),
    ).toThrow(expect.objectContaining({ name: 'TokenRefreshError', code: 'INVALID_OPTION' }));
    manager.dispose();
  });
});
