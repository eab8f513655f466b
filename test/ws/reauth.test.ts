import { describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { condition, within } from '../support/wait.js';
import { useWsHarness, watchTicks } from '../support/ws-harness.js';

const { start } = useWsHarness();

describe('createAuthWsClient re-authentication', () => {
  it('keeps ticks flowing across 3 refreshes, one connection per token', async () => {
    const e = await start();
    const sub = watchTicks(e.client);
    await sub.more(3);
    for (let i = 1; i <= 3; i++) {
      await e.manager.refresh();
      await e.untilConnected(i + 1);
      await sub.more(3, `ticks on socket #${i + 1}`);
    }
    expect(sub.errors).toEqual([]);
    expect(sub.completed).toBe(0);
    expect(e.tokens).toHaveLength(4);
    expect(e.server.counters.wsConnections).toEqual(
      e.tokens.map((token) => ({ token, accepted: true })),
    );
    expect(e.closed).toEqual([4205, 4205, 4205]);
    expect(e.leaks()).toEqual([]);
    sub.stop();
  });

  it('two subscriptions share each socket: both continue across a restart, both end once on logout', async () => {
    const e = await start();
    const a = watchTicks(e.client);
    const b = watchTicks(e.client, 15);
    await Promise.all([a.more(2), b.more(2)]);
    await e.manager.refresh();
    await e.untilConnected(2);
    await Promise.all([a.more(2), b.more(2)]);
    expect(e.server.counters.wsConnections).toHaveLength(2);
    expect([a.errors, b.errors]).toEqual([[], []]);
    await e.manager.logout();
    expect(a.errors).toHaveLength(1);
    expect(b.errors).toHaveLength(1);
    expect(SessionExpiredError.is(a.errors[0]) && SessionExpiredError.is(b.errors[0])).toBe(true);
    await e.untilClosed(2);
    expect(e.closed).toEqual([4205, 1000]);
  });

  it('setTokens restarts the socket too', async () => {
    const e = await start();
    const sub = watchTicks(e.client);
    await sub.more(2);
    const next = await e.server.login('bob');
    await e.manager.setTokens(next);
    await e.untilConnected(2);
    await sub.more(2);
    expect(e.server.counters.wsConnections.map((c) => c.token)).toEqual([
      e.session.accessToken,
      next.accessToken,
    ]);
    expect(sub.errors).toEqual([]);
  });

  it.each([
    [4403, '', 'Forbidden'],
    [4401, ' (fatal in graphql-ws)', 'Unauthorized'],
  ] as const)(
    'server close %i%s → one refresh with that token, reconnect, ticks resume',
    async (code, _note, reason) => {
      const e = await start();
      const sub = watchTicks(e.client);
      await sub.more(2);
      e.server.closeWsConnections(code, reason);
      await e.untilConnected(2);
      await sub.more(2);
      expect(e.server.counters.refreshes).toBe(1);
      expect(e.server.counters.wsConnections).toEqual([
        { token: e.tokens[0], accepted: true },
        { token: e.tokens[1], accepted: true },
      ]);
      expect(sub.errors).toEqual([]);
    },
  );

  it('connection_init rejected with 4401 (revoked token) → refresh, reconnect', async () => {
    const e = await start();
    e.server.knobs.ws.connect = 'verify-4401';
    e.server.revokeAccessToken(e.session.accessToken);
    const sub = watchTicks(e.client);
    await sub.more(2);
    expect(e.server.counters.wsCloses).toContain(4401);
    expect(e.server.counters.refreshes).toBe(1);
    expect(e.server.counters.wsConnections).toEqual([
      { token: e.session.accessToken, accepted: false },
      { token: e.tokens[1], accepted: true },
    ]);
    expect(e.closed[0]).toBe(4206); // reported to graphql-ws as Reauthenticate
    expect(sub.errors).toEqual([]);
  });

  it('server closing each socket at token expiry is seamless', async () => {
    // Real 2 s tokens (exp is whole seconds, so each lives 1–2 s); refresh only when expired.
    const e = await start({
      server: { accessTtlMs: 2_000 },
      manager: { refreshBeforeExpiryMs: 0 },
    });
    e.server.knobs.ws.closeAtExpiry = true;
    // The login token may already be close to expiry: start from a fresh one.
    await e.manager.refresh();
    const sub = watchTicks(e.client);
    await sub.more(1);
    await within(
      (async () => {
        // Bounded: ticks come every 10 ms, two expiries take at most ~4 s.
        for (
          let i = 0;
          i < 1_000 && e.server.counters.wsCloses.filter((code) => code === 4403).length < 2;
          i++
        )
          await sub.more(1);
      })(),
      'two expiry closes',
      8_000,
    );
    await sub.more(3, 'ticks after the second expiry');
    expect(sub.errors).toEqual([]);
    const connections = e.server.counters.wsConnections;
    expect(connections.length).toBeGreaterThanOrEqual(3);
    expect(connections.every((connection) => connection.accepted)).toBe(true);
    expect(new Set(connections.map((connection) => connection.token)).size).toBe(
      connections.length,
    );
  });

  it('a server rejecting every token ends the subscription with SESSION_EXPIRED after 2 connections', async () => {
    const e = await start();
    e.server.knobs.ws.connect = 'reject-all';
    const sub = watchTicks(e.client);
    const error = await sub.error();
    expect(SessionExpiredError.is(error)).toBe(true);
    expect((error as SessionExpiredError).code).toBe('SESSION_EXPIRED');
    expect(e.server.counters.wsConnections).toHaveLength(2);
    expect(e.server.counters.refreshes).toBe(1);
    expect(sub.errors).toHaveLength(1);
    expect(sub.completed).toBe(0);
    expect(e.leaks((error as Error).message, String((error as Error).cause))).toEqual([]);
    // The manager keeps its session: only the ws server refused it.
    expect(e.manager.status).toBe('authenticated');
    await e.untilClosed(2);
    expect(e.server.counters.wsConnections).toHaveLength(2);
  });

  it('an expiring token at start is refreshed before the first connection_init', async () => {
    let clock = Date.now();
    const now = () => clock;
    const e = await start({ server: { now } });
    clock += 45_000; // 60 s token, refreshed 30 s before expiry: expiring, yet the server accepts it
    const sub = watchTicks(e.client);
    await sub.more(2);
    expect(e.server.counters.refreshes).toBe(1);
    expect(e.server.counters.wsConnections).toEqual([{ token: e.tokens[1], accepted: true }]);
    expect(e.closed).toEqual([]);
  });

  it('logout ends the subscription with SESSION_EXPIRED, closes the socket, no reconnect', async () => {
    const e = await start();
    const sub = watchTicks(e.client);
    await sub.more(2);
    await e.manager.logout();
    const error = await sub.error();
    expect(SessionExpiredError.is(error)).toBe(true);
    await e.untilClosed(1);
    expect(e.closed).toEqual([1000]);
    const n = sub.values.length;
    // A new subscription after logout connects without a token; the old one stays ended.
    e.server.knobs.ws.connect = 'reject-all';
    const other = watchTicks(e.client);
    expect(SessionExpiredError.is(await other.error())).toBe(true);
    expect(e.server.counters.wsConnections).toEqual([
      { token: e.session.accessToken, accepted: true },
      { token: null, accepted: false },
    ]);
    expect(sub.values).toHaveLength(n);
    expect(sub.errors).toHaveLength(1);
    expect(e.server.counters.refreshes).toBe(0);
  });

  it('a refresh ending the session (refresh token rejected) ends subscriptions with SESSION_EXPIRED', async () => {
    const e = await start();
    const sub = watchTicks(e.client);
    await sub.more(2);
    e.server.knobs.refresh = '401';
    e.server.closeWsConnections(4403);
    const error = await sub.error();
    expect(SessionExpiredError.is(error)).toBe(true);
    // The manager's own error, with the refresh endpoint's answer as its cause.
    expect(((error as Error).cause as { status?: number }).status).toBe(401);
    expect(sub.errors).toHaveLength(1);
    expect(e.manager.status).toBe('unauthenticated');
    expect(e.leaks((error as Error).message)).toEqual([]);
    expect(e.server.counters.wsConnections).toHaveLength(1);
  });

  it('after the session ended, a new subscription makes no refresh call: its anonymous socket is refused once', async () => {
    // graphql-ws waits before connecting again after a failed connect: no real backoff here.
    const e = await start({ client: { retryWait: () => Promise.resolve() } });
    const first = watchTicks(e.client);
    await first.more(2);
    e.server.knobs.refresh = '401';
    e.server.closeWsConnections(4401);
    expect(SessionExpiredError.is(await first.error())).toBe(true);
    // The socket whose connect the refresh failed is gone: the next subscription connects anew.
    await e.untilClosed(2);
    const second = watchTicks(e.client);
    const refused = await second.error();
    expect(SessionExpiredError.is(refused)).toBe(true);
    // The one real refresh that ended the session, none after it.
    expect(e.server.counters.refreshes).toBe(1);
    expect(e.server.counters.wsConnections.map((connection) => connection.token)).toEqual([
      e.session.accessToken,
      null,
    ]);
  });

  it('a transient refresh failure backs off and the subscription survives', async () => {
    let release = () => {};
    let waits = 0;
    const gate = condition();
    const e = await start({
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
    e.manager.on('refreshFailed', () => failures++);
    const sub = watchTicks(e.client);
    await sub.more(2);
    e.server.knobs.refresh = '500';
    e.server.closeWsConnections(4403);
    await gate.until(() => waits > 0, 'the backoff after a failed refresh');
    expect(failures).toBe(1);
    e.server.knobs.refresh = 'ok';
    release();
    await e.untilConnected(2);
    await sub.more(2);
    expect(sub.errors).toEqual([]);
    expect(waits).toBe(1);
    expect(e.server.counters.wsConnections.map((connection) => connection.accepted)).toEqual([
      true,
      true,
    ]);
  });

  it('an immediate retry after a failed refresh is not killed by the stale 4005 close', async () => {
    // graphql-ws closes the failed socket with 4005 after it already retries; with no backoff
    // that late close used to reach the new socket as a fatal close.
    const e = await start({ client: { retryWait: () => Promise.resolve() } });
    const sub = watchTicks(e.client);
    await sub.more(2);
    e.server.knobs.refresh = '503-once';
    e.server.closeWsConnections(4403);
    await e.untilConnected(2);
    await sub.more(3);
    expect(e.server.counters.refreshes).toBe(2);
    expect(sub.errors).toEqual([]);
  });
});
