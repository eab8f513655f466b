import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { TokenManager } from '../../src/token/manager.js';
import { AuthCloseCode, createAuthWsClient } from '../../src/ws.js';
import { catchWarnings, SHARED_MANAGER_WARNING } from '../support/console.js';
import { condition, within } from '../support/wait.js';
import { TICKS, useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start, current } = useWsHarness();

describe('createAuthWsClient options and interface', () => {
  it("chains the user's on.connected and shouldRetry instead of replacing them", async () => {
    const connected: unknown[] = [];
    const asked: number[] = [];
    const harness = await start({
      client: {
        on: { connected: (socket) => connected.push(socket) },
        shouldRetry: (error) => {
          asked.push((error as { code: number }).code);
          return true;
        },
        retryWait: () => Promise.resolve(),
      },
    });
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    harness.server.closeWsConnections(4000, 'custom'); // not ours: the user's shouldRetry decides
    await harness.untilConnected(2);
    await harness.manager.refresh(); // ours: a graceful restart, not the user's business
    await harness.untilConnected(3);
    await ticks.more(2);
    expect(connected).toHaveLength(3);
    expect(asked).toEqual([4000]);
    expect(ticks.errors).toEqual([]);
  });

  it('a user shouldRetry returning false still ends the subscription with the close event', async () => {
    const harness = await start({ client: { shouldRetry: () => false } });
    const ticks = watchTicks(harness.client);
    await ticks.more(1);
    harness.server.closeWsConnections(4000, 'custom');
    const error = (await ticks.error()) as { code: number };
    expect(error.code).toBe(4000);
  });

  it('lazy: false reconnects with the new token and never reports a non-lazy error', async () => {
    const nonLazy: unknown[] = [];
    const harness = await start({
      client: { lazy: false, onNonLazyError: (error) => nonLazy.push(error) },
    });
    await harness.untilConnected(1);
    await harness.manager.refresh();
    await harness.untilConnected(2);
    expect(harness.server.counters.wsConnections.map((connection) => connection.token)).toEqual(
      harness.tokens,
    );
    expect(nonLazy).toEqual([]);
  });

  it('uses custom connectionParams with the token', async () => {
    const seen: (string | null)[] = [];
    const harness = await start({
      client: {
        connectionParams: (token) => {
          seen.push(token);
          return { authorization: `Bearer ${token}`, extra: 1 };
        },
      },
    });
    const ticks = watchTicks(harness.client);
    await ticks.more(1);
    expect(seen).toEqual([harness.session.accessToken]);
  });

  it('a token change while connecting is applied once the socket is acknowledged', async () => {
    const warnings = catchWarnings();
    let switched = false;
    let newer = '';
    const harness = await start({
      client: {
        // Runs after the token was read: the connect already carries the old one.
        connectionParams: async (token) => {
          if (!switched) {
            switched = true;
            const bob = await current()?.server.login('bob');
            if (bob) {
              newer = bob.accessToken;
              await current()?.manager.setTokens(bob);
            }
          }
          return { authorization: `Bearer ${token}` };
        },
      },
    });
    const ticks = watchTicks(harness.client);
    await harness.untilConnected(2);
    await ticks.more(2);
    expect(harness.server.counters.wsConnections.map((connection) => connection.token)).toEqual([
      harness.session.accessToken,
      newer,
    ]);
    expect(harness.closed).toEqual([AuthCloseCode.TokenChanged]);
    expect(ticks.errors).toEqual([]);
    // Another user on one manager in Node: the manager says so, once.
    expect(warnings.messages).toEqual([SHARED_MANAGER_WARNING]);
  });

  it('a token change before the token is read needs no restart', async () => {
    const warnings = catchWarnings();
    const harness = await start();
    const next = await harness.server.login('bob');
    const opened = condition();
    let opens = 0;
    harness.client.on('opened', () => {
      opens++;
      opened.poke();
    });
    const ticks = watchTicks(harness.client);
    await opened.until(() => opens > 0, 'the socket to open');
    await harness.manager.setTokens(next);
    await ticks.more(3);
    expect(harness.server.counters.wsConnections.length).toBeLessThanOrEqual(2);
    expect(harness.server.counters.wsConnections.at(-1)?.token).toBe(next.accessToken);
    expect(ticks.errors).toEqual([]);
    expect(warnings.messages).toEqual([SHARED_MANAGER_WARNING]);
  });

  it('restart() replaces the socket; subscriptions continue without an error', async () => {
    const harness = await start();
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    harness.client.restart();
    await harness.untilConnected(2);
    await ticks.more(2);
    expect(harness.closed).toEqual([AuthCloseCode.TokenChanged]);
    expect(harness.server.counters.wsConnections.map((connection) => connection.token)).toEqual([
      harness.session.accessToken,
      harness.session.accessToken,
    ]);
    expect(ticks.errors).toEqual([]);
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
    const harness = await start({
      client: {
        webSocketImpl: NoEcho,
        retryWait: async () => {
          waits++;
        },
      },
    });
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    await harness.manager.refresh();
    await harness.untilConnected(2);
    await ticks.more(2);
    expect(harness.closed).toEqual([AuthCloseCode.TokenChanged]);
    expect(waits).toBe(0);
    expect(ticks.errors).toEqual([]);
  });

  it('iterate() survives a restart and throws SESSION_EXPIRED on logout', async () => {
    const harness = await start();
    const iterator = harness.client.iterate<{ ticks: number }, unknown>({
      query: TICKS,
      variables: { intervalMs: 10 },
    });
    const seen: number[] = [];
    const run = (async () => {
      for await (const result of iterator) {
        seen.push(result.data?.ticks ?? -1);
        if (seen.length === 3) void harness.manager.refresh();
        if (seen.length === 3 + 5) await harness.manager.logout();
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
    expect(harness.connected).toBe(2);
    expect(seen.length).toBeGreaterThanOrEqual(8);
  });

  it('iterate().return() ends a pending next() and unsubscribes', async () => {
    const harness = await start();
    const iterator = harness.client.iterate({ query: TICKS, variables: { intervalMs: 60_000 } });
    const pending = iterator.next();
    await harness.untilConnected(1);
    await iterator.return?.();
    await expect(within(pending, 'the pending next()')).resolves.toEqual({
      value: undefined,
      done: true,
    });
    await harness.untilClosed(1);
    expect(harness.closed).toEqual([1000]);
  });

  it('dispose() removes its manager listeners', async () => {
    const harness = await start();
    const ticks = watchTicks(harness.client);
    await ticks.more(1);
    await harness.client.dispose();
    await harness.untilClosed(1);
    await harness.manager.refresh();
    await harness.manager.logout();
    expect(harness.server.counters.wsConnections).toHaveLength(1);
    expect(ticks.errors).toEqual([]);
    expect(ticks.completed).toBe(1);
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
