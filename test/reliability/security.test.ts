/**
 * Security properties against the real test server: SSR isolation between users, the refresh
 * token never leaving for the GraphQL endpoint (HTTP or ws), and no token in any error or log.
 */
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, WebSocket } from 'ws';
import { startTestServer } from '../../fixtures/server/index.js';
import type { TestServer } from '../../fixtures/server/types.js';
import { memoryStorage, type TokenSet } from '../../src/index.js';
import { createAuthWsClient } from '../../src/ws.js';
import { clientFor, ME, managerFor, run, TICKS, until } from './harness.js';
import { createLeakCheck } from './leaks.js';

const leaks = createLeakCheck();
let server: TestServer;
let clock = Date.UTC(2026, 0, 1);
const TTL = 60_000;

beforeAll(async () => {
  // Single-use refresh tokens: a token that crossed users would also trip reuse detection.
  server = await startTestServer({ now: () => clock, accessTtlMs: TTL, rotateRefreshTokens: true });
});
afterAll(async () => {
  await server.close();
  leaks.restore();
});

const sub = (token: string | null) => (token ? String(decodeJwt(token).sub) : null);

describe('SSR isolation', () => {
  it('two concurrent server requests for two users never carry each other’s token', async () => {
    server.resetCounters();
    // Each user's session as a cookie jar would hold it between requests.
    const jar = new Map<string, TokenSet>();
    for (const user of ['alice', 'bob']) {
      const s = await server.login(user);
      leaks.secret(s.accessToken, s.refreshToken);
      jar.set(user, s);
    }
    const userOf = (n: number) => (n % 2 === 0 ? 'alice' : 'bob');
    const seenBy: { user: string; me: unknown }[] = [];

    /** One SSR request: a manager and a client of its own, never module-level. */
    async function request(user: string, round: number) {
      const manager = managerFor(server, leaks, {
        now: () => clock,
        storage: memoryStorage(jar.get(user)),
      });
      manager.on('tokens', (t) => jar.set(user, t));
      const client = clientFor(server, manager);
      try {
        for (let i = 0; i < 4; i++) {
          const n = round * 1_000 + i * 2 + (user === 'alice' ? 0 : 1);
          // Mid-request revocation: the next query refreshes reactively, interleaved with the
          // other user's queries and refreshes.
          if (i === 2) {
            const t = await manager.getAccessToken();
            if (t) server.revokeAccessToken(t);
          }
          const r = await client.query({ query: ME, variables: { n }, fetchPolicy: 'no-cache' });
          seenBy.push({ user, me: (r.data as { me?: { id?: unknown } } | undefined)?.me?.id });
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        manager.dispose();
        client.stop();
      }
    }

    for (let round = 0; round < 5; round++) {
      server.knobs.refreshLatencyMs = (round % 3) * 5;
      // Both access tokens expire between rounds: each request starts with a refresh.
      clock += TTL;
      await Promise.all([request('alice', round), request('bob', round)]);
    }

    const c = server.counters;
    leaks.secret(...c.requestTokens, ...c.refreshTokensSeen);
    expect(c.requests).toBeGreaterThanOrEqual(40);
    expect(c.refreshes).toBeGreaterThanOrEqual(20); // 2 users × 5 rounds × (expiry + revocation)
    const mismatched = c.requestVariables.filter(
      (v, i) => sub(c.requestTokens[i] ?? null) !== userOf(Number(v.n)),
    );
    expect(mismatched).toEqual([]);
    expect(seenBy.every((s) => s.me === s.user)).toBe(true);
    expect(c.reuseDetections).toBe(0);
  });
});

describe('the refresh token stays with the refresh function', () => {
  it('never reaches the GraphQL endpoint over HTTP (headers, body) or ws (connectionParams)', async () => {
    server.resetCounters();
    const s = await server.login('carol');
    leaks.secret(s.accessToken, s.refreshToken);
    const manager = managerFor(server, leaks, { now: () => clock, storage: memoryStorage(s) });
    const sent: string[] = [];
    const spyFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      sent.push(`${String(input)} ${JSON.stringify([...headers])} ${String(init?.body ?? '')}`);
      return fetch(input, init);
    };
    class SpyWebSocket extends WebSocket {
      override send(data: RawData | string, ...rest: unknown[]) {
        sent.push(String(data));
        // biome-ignore lint/suspicious/noExplicitAny: ws's overloads cannot be forwarded typed
        return (super.send as any)(data, ...rest);
      }
    }
    const ws = createAuthWsClient(manager, {
      url: server.wsUrl,
      webSocketImpl: SpyWebSocket,
      retryWait: () => new Promise((r) => setTimeout(r, 10)),
    });
    const http = clientFor(server, manager, spyFetch);
    const wsClient = new ApolloClient({
      link: new GraphQLWsLink(ws),
      cache: new InMemoryCache(),
    });
    const ticks: unknown[] = [];
    const subscription = wsClient
      .subscribe({ query: TICKS, variables: { intervalMs: 10 } })
      .subscribe({ next: (r) => ticks.push(r.data) });
    try {
      await until(() => ticks.length >= 2, 5_000, 'ticks');
      for (let round = 0; round < 3; round++) {
        clock += TTL; // expired: the next query refreshes, the socket restarts with the new token
        expect(await run(http, round, leaks)).toBe('ok');
        const before = ticks.length;
        await until(() => ticks.length > before, 5_000, 'ticks after the refresh');
      }
      const c = server.counters;
      leaks.secret(...c.refreshTokensSeen, ...c.requestTokens);
      const refreshTokens = [s.refreshToken, ...c.refreshTokensSeen].filter(
        (t): t is string => typeof t === 'string',
      );
      expect(c.refreshes).toBe(3);
      expect(c.wsConnections.filter((x) => x.accepted).length).toBeGreaterThanOrEqual(4);
      expect(sent.filter((x) => x.includes('connection_init')).length).toBeGreaterThanOrEqual(4);
      const leaked = sent.filter((x) => refreshTokens.some((t) => x.includes(t)));
      expect(leaked).toEqual([]);
      // And each access token that went out was one the refresh endpoint issued for carol.
      expect(new Set(c.requestTokens.map(sub))).toEqual(new Set(['carol']));
    } finally {
      subscription.unsubscribe();
      manager.dispose();
      await ws.dispose();
      http.stop();
      wsClient.stop();
    }
  });
});

describe('no token in errors or logs', () => {
  it('every failure path produces errors that carry no token', async () => {
    const failures: [string, () => void][] = [
      ['500', () => (server.knobs.refresh = '500')],
      ['malformed', () => (server.knobs.refresh = 'malformed')],
      ['missing-access-token', () => (server.knobs.refresh = 'missing-access-token')],
      ['drop', () => (server.knobs.refresh = 'drop')],
      ['reject all', () => (server.knobs.rejectAllTokens = true)],
      ['401', () => (server.knobs.refresh = '401')],
    ];
    const seen: string[] = [];
    for (const [name, breakIt] of failures) {
      const s = await server.login('dave');
      leaks.secret(s.accessToken, s.refreshToken);
      const manager = managerFor(server, leaks, { now: () => clock, storage: memoryStorage(s) });
      manager.on('refreshFailed', (e) => leaks.error(e));
      const client = clientFor(server, manager);
      try {
        clock += TTL; // the stored token expired: the next query refreshes
        breakIt();
        const outcome = await run(client, 7, leaks);
        seen.push(`${name}: ${outcome}`);
        // Manager calls the app may make directly fail the same way.
        await manager.refresh().catch((e: unknown) => leaks.error(e));
      } finally {
        server.knobs.refresh = 'ok';
        server.knobs.rejectAllTokens = false;
        manager.dispose();
        client.stop();
      }
    }
    const c = server.counters;
    leaks.secret(...c.requestTokens, ...c.refreshTokensSeen);
    expect(seen).toEqual([
      '500: REFRESH_FAILED',
      'malformed: REFRESH_FAILED',
      'missing-access-token: REFRESH_FAILED',
      'drop: REFRESH_FAILED',
      'reject all: UNAUTHENTICATED',
      '401: SESSION_EXPIRED',
    ]);
    expect(leaks.counts().errors).toBeGreaterThanOrEqual(12);
    expect(leaks.findings()).toEqual([]);
  });

  it('the scan itself catches a leak (a token planted in a cause and a log line)', () => {
    const probe = createLeakCheck(false);
    probe.secret('planted-token-123');
    const cause = Object.assign(new Error('x'), { detail: 'planted-token-123' });
    probe.error(new Error('outer', { cause }));
    probe.line('Authorization: Bearer planted-token-123');
    probe.error(new Error('clean'));
    expect(probe.findings()).toHaveLength(2);
  });
});
