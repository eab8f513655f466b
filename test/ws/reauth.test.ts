import { describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { catchWarnings, SHARED_MANAGER_WARNING } from '../support/console.js';
import { condition, within } from '../support/wait.js';
import { useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start } = useWsHarness();

describe('createAuthWsClient re-authentication', () => {
  it('keeps ticks flowing across 3 refreshes, one connection per token', async () => {
    const harness = await start();
    const ticks = watchTicks(harness.client);
    await ticks.more(3);
    for (let refresh = 1; refresh <= 3; refresh++) {
      await harness.manager.refresh();
      await harness.untilConnected(refresh + 1);
      await ticks.more(3, `ticks on socket #${refresh + 1}`);
    }
    expect(ticks.errors).toEqual([]);
    expect(ticks.completed).toBe(0);
    expect(harness.tokens).toHaveLength(4);
    expect(harness.server.counters.wsConnections).toEqual(
      harness.tokens.map((token) => ({ token, accepted: true })),
    );
    expect(harness.closed).toEqual([4205, 4205, 4205]);
    expect(harness.leaks()).toEqual([]);
    ticks.stop();
  });

  it('two subscriptions share each socket: both continue across a restart, both end once on logout', async () => {
    const harness = await start();
    const first = watchTicks(harness.client);
    const second = watchTicks(harness.client, 15);
    await Promise.all([first.more(2), second.more(2)]);
    await harness.manager.refresh();
    await harness.untilConnected(2);
    await Promise.all([first.more(2), second.more(2)]);
    expect(harness.server.counters.wsConnections).toHaveLength(2);
    expect([first.errors, second.errors]).toEqual([[], []]);
    await harness.manager.logout();
    expect(first.errors).toHaveLength(1);
    expect(second.errors).toHaveLength(1);
    expect(
      SessionExpiredError.is(first.errors[0]) && SessionExpiredError.is(second.errors[0]),
    ).toBe(true);
    await harness.untilClosed(2);
    expect(harness.closed).toEqual([4205, 1000]);
  });

  it('setTokens restarts the socket too', async () => {
    const warnings = catchWarnings();
    const harness = await start();
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    const next = await harness.server.login('bob');
    await harness.manager.setTokens(next);
    await harness.untilConnected(2);
    await ticks.more(2);
    expect(harness.server.counters.wsConnections.map((connection) => connection.token)).toEqual([
      harness.session.accessToken,
      next.accessToken,
    ]);
    expect(ticks.errors).toEqual([]);
    // Another user on one manager in Node: the manager says so, once.
    expect(warnings.messages).toEqual([SHARED_MANAGER_WARNING]);
  });

  it.each([
    [4403, '', 'Forbidden'],
    [4401, ' (fatal in graphql-ws)', 'Unauthorized'],
  ] as const)(
    'server close %i%s → one refresh with that token, reconnect, ticks resume',
    async (code, _note, reason) => {
      const harness = await start();
      const ticks = watchTicks(harness.client);
      await ticks.more(2);
      harness.server.closeWsConnections(code, reason);
      await harness.untilConnected(2);
      await ticks.more(2);
      expect(harness.server.counters.refreshes).toBe(1);
      expect(harness.server.counters.wsConnections).toEqual([
        { token: harness.tokens[0], accepted: true },
        { token: harness.tokens[1], accepted: true },
      ]);
      expect(ticks.errors).toEqual([]);
    },
  );

  it('connection_init rejected with 4401 (revoked token) → refresh, reconnect', async () => {
    const harness = await start();
    harness.server.knobs.ws.connect = 'verify-4401';
    harness.server.revokeAccessToken(harness.session.accessToken);
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    expect(harness.server.counters.wsCloses).toContain(4401);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.server.counters.wsConnections).toEqual([
      { token: harness.session.accessToken, accepted: false },
      { token: harness.tokens[1], accepted: true },
    ]);
    expect(harness.closed[0]).toBe(4206); // reported to graphql-ws as Reauthenticate
    expect(ticks.errors).toEqual([]);
  });

  it('server closing each socket at token expiry is seamless', async () => {
    // Real 2 s tokens (exp is whole seconds, so each lives 1–2 s); refresh only when expired.
    const harness = await start({
      server: { accessTtlMs: 2_000 },
      manager: { refreshBeforeExpiryMs: 0 },
    });
    harness.server.knobs.ws.closeAtExpiry = true;
    // The login token may already be close to expiry: start from a fresh one.
    await harness.manager.refresh();
    const ticks = watchTicks(harness.client);
    await ticks.more(1);
    await within(
      (async () => {
        // Bounded: ticks come every 10 ms, two expiries take at most ~4 s.
        const expiryCloses = () =>
          harness.server.counters.wsCloses.filter((code) => code === 4403).length;
        for (let tick = 0; tick < 1_000 && expiryCloses() < 2; tick++) await ticks.more(1);
      })(),
      'two expiry closes',
      8_000,
    );
    await ticks.more(3, 'ticks after the second expiry');
    expect(ticks.errors).toEqual([]);
    const connections = harness.server.counters.wsConnections;
    expect(connections.length).toBeGreaterThanOrEqual(3);
    expect(connections.every((connection) => connection.accepted)).toBe(true);
    expect(new Set(connections.map((connection) => connection.token)).size).toBe(
      connections.length,
    );
  });

  it('a server rejecting every token ends the subscription with SESSION_EXPIRED after 2 connections', async () => {
    const harness = await start();
    harness.server.knobs.ws.connect = 'reject-all';
    const ticks = watchTicks(harness.client);
    const error = await ticks.error();
    expect(SessionExpiredError.is(error)).toBe(true);
    expect((error as SessionExpiredError).code).toBe('SESSION_EXPIRED');
    expect(harness.server.counters.wsConnections).toHaveLength(2);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(ticks.errors).toHaveLength(1);
    expect(ticks.completed).toBe(0);
    expect(harness.leaks((error as Error).message, String((error as Error).cause))).toEqual([]);
    // The manager keeps its session: only the ws server refused it.
    expect(harness.manager.status).toBe('authenticated');
    await harness.untilClosed(2);
    expect(harness.server.counters.wsConnections).toHaveLength(2);
  });

  it('an expiring token at start is refreshed before the first connection_init', async () => {
    let clock = Date.now();
    const now = () => clock;
    const harness = await start({ server: { now } });
    clock += 45_000; // 60 s token, refreshed 30 s before expiry: expiring, yet the server accepts it
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.server.counters.wsConnections).toEqual([
      { token: harness.tokens[1], accepted: true },
    ]);
    expect(harness.closed).toEqual([]);
  });

  it('logout ends the subscription with SESSION_EXPIRED, closes the socket, no reconnect', async () => {
    const harness = await start();
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    await harness.manager.logout();
    const error = await ticks.error();
    expect(SessionExpiredError.is(error)).toBe(true);
    await harness.untilClosed(1);
    expect(harness.closed).toEqual([1000]);
    const received = ticks.values.length;
    // A new subscription after logout connects without a token; the old one stays ended.
    harness.server.knobs.ws.connect = 'reject-all';
    const other = watchTicks(harness.client);
    expect(SessionExpiredError.is(await other.error())).toBe(true);
    expect(harness.server.counters.wsConnections).toEqual([
      { token: harness.session.accessToken, accepted: true },
      { token: null, accepted: false },
    ]);
    expect(ticks.values).toHaveLength(received);
    expect(ticks.errors).toHaveLength(1);
    expect(harness.server.counters.refreshes).toBe(0);
  });

  it('a refresh ending the session (refresh token rejected) ends subscriptions with SESSION_EXPIRED', async () => {
    const harness = await start();
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    harness.server.knobs.refresh = '401';
    harness.server.closeWsConnections(4403);
    const error = await ticks.error();
    expect(SessionExpiredError.is(error)).toBe(true);
    // The manager's own error, with the refresh endpoint's answer as its cause.
    expect(((error as Error).cause as { status?: number }).status).toBe(401);
    expect(ticks.errors).toHaveLength(1);
    expect(harness.manager.status).toBe('unauthenticated');
    expect(harness.leaks((error as Error).message)).toEqual([]);
    expect(harness.server.counters.wsConnections).toHaveLength(1);
  });

  it('after the session ended, a new subscription makes no refresh call: its anonymous socket is refused once', async () => {
    // graphql-ws waits before connecting again after a failed connect: no real backoff here.
    const harness = await start({ client: { retryWait: () => Promise.resolve() } });
    const first = watchTicks(harness.client);
    await first.more(2);
    harness.server.knobs.refresh = '401';
    harness.server.closeWsConnections(4401);
    expect(SessionExpiredError.is(await first.error())).toBe(true);
    // The socket whose connect the refresh failed is gone: the next subscription connects anew.
    await harness.untilClosed(2);
    const second = watchTicks(harness.client);
    const refused = await second.error();
    expect(SessionExpiredError.is(refused)).toBe(true);
    // The one real refresh that ended the session, none after it.
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.server.counters.wsConnections.map((connection) => connection.token)).toEqual([
      harness.session.accessToken,
      null,
    ]);
  });

  it('a transient refresh failure backs off and the subscription survives', async () => {
    let release = () => {};
    let waits = 0;
    const gate = condition();
    const harness = await start({
      client: {
        retryWait: () => {
          waits++;
          gate.poke();
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      },
    });
    let failures = 0;
    harness.manager.on('refreshFailed', () => failures++);
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    harness.server.knobs.refresh = '500';
    harness.server.closeWsConnections(4403);
    await gate.until(() => waits > 0, 'the backoff after a failed refresh');
    expect(failures).toBe(1);
    harness.server.knobs.refresh = 'ok';
    release();
    await harness.untilConnected(2);
    await ticks.more(2);
    expect(ticks.errors).toEqual([]);
    expect(waits).toBe(1);
    expect(harness.server.counters.wsConnections.map((connection) => connection.accepted)).toEqual([
      true,
      true,
    ]);
  });

  it('an immediate retry after a failed refresh is not killed by the stale 4005 close', async () => {
    // graphql-ws closes the failed socket with 4005 after it already retries; with no backoff
    // that late close used to reach the new socket as a fatal close.
    const harness = await start({ client: { retryWait: () => Promise.resolve() } });
    const ticks = watchTicks(harness.client);
    await ticks.more(2);
    harness.server.knobs.refresh = '503-once';
    harness.server.closeWsConnections(4403);
    await harness.untilConnected(2);
    await ticks.more(3);
    expect(harness.server.counters.refreshes).toBe(2);
    expect(ticks.errors).toEqual([]);
  });
});
