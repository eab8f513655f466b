/**
 * Security properties against the real test server: SSR isolation between users, the refresh
 * token never leaving for the GraphQL endpoint (HTTP or ws), and no token in any error or log.
 */
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, WebSocket } from 'ws';
import { MeEchoDocument, TicksDocument } from '../../fixtures/__generated__/graphql.js';
import { startTestServer } from '../../fixtures/server/index.js';
import type { TestServer } from '../../fixtures/server/types.js';
import { memoryStorage, type TokenSet } from '../../src/index.js';
import { createAuthWsClient } from '../../src/ws.js';
import { flushEventLoop } from '../support/flush.js';
import { createLeakCheck } from '../support/leaks.js';
import { condition } from '../support/wait.js';
import { clientFor, managerFor, run } from './harness.js';

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

const subject = (token: string | null) => (token ? String(decodeJwt(token).sub) : null);

describe('SSR isolation', () => {
  it('two concurrent server requests for two users never carry each other’s token', async () => {
    server.resetCounters();
    // Each user's session as a cookie jar would hold it between requests.
    const jar = new Map<string, TokenSet>();
    for (const user of ['alice', 'bob']) {
      const session = await server.login(user);
      leaks.secret(session.accessToken, session.refreshToken);
      jar.set(user, session);
    }
    const userOf = (n: number) => (n % 2 === 0 ? 'alice' : 'bob');
    const seenBy: { user: string; me: unknown }[] = [];

    /** One SSR request: a manager and a client of its own, never module-level. */
    async function request(user: string, round: number) {
      const manager = managerFor(server, leaks, {
        now: () => clock,
        storage: memoryStorage(jar.get(user)),
      });
      manager.on('tokens', (tokens) => jar.set(user, tokens));
      const client = clientFor(server, manager);
      try {
        for (let step = 0; step < 4; step++) {
          const echo = round * 1_000 + step * 2 + (user === 'alice' ? 0 : 1);
          // Mid-request revocation: the next query refreshes reactively, interleaved with the
          // other user's queries and refreshes.
          if (step === 2) {
            const token = await manager.getAccessToken();
            if (token) server.revokeAccessToken(token);
          }
          const { data } = await client.query({
            query: MeEchoDocument,
            variables: { n: echo },
            fetchPolicy: 'no-cache',
          });
          seenBy.push({ user, me: data?.me.id });
          await flushEventLoop(1);
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

    const counters = server.counters;
    leaks.secret(...counters.requestTokens, ...counters.refreshTokensSeen);
    expect(counters.requests).toBeGreaterThanOrEqual(40);
    // 2 users × 5 rounds × (expiry + revocation)
    expect(counters.refreshes).toBeGreaterThanOrEqual(20);
    const mismatched = counters.requestVariables.filter(
      (variables, i) => subject(counters.requestTokens[i] ?? null) !== userOf(Number(variables.n)),
    );
    expect(mismatched).toEqual([]);
    expect(seenBy.every((seen) => seen.me === seen.user)).toBe(true);
    expect(counters.reuseDetections).toBe(0);
  });
});

describe('the refresh token stays with the refresh function', () => {
  it('never reaches the GraphQL endpoint over HTTP (headers, body) or ws (connectionParams)', async () => {
    server.resetCounters();
    const session = await server.login('carol');
    leaks.secret(session.accessToken, session.refreshToken);
    const manager = managerFor(server, leaks, {
      now: () => clock,
      storage: memoryStorage(session),
    });
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
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 10)),
    });
    const http = clientFor(server, manager, spyFetch);
    const wsClient = new ApolloClient({
      link: new GraphQLWsLink(ws),
      cache: new InMemoryCache(),
    });
    const ticks: unknown[] = [];
    const tickArrived = condition();
    const subscription = wsClient
      .subscribe({ query: TicksDocument, variables: { intervalMs: 10 } })
      .subscribe({
        next: (result) => {
          ticks.push(result.data);
          tickArrived.poke();
        },
      });
    try {
      await tickArrived.until(() => ticks.length >= 2, 'ticks');
      for (let round = 0; round < 3; round++) {
        clock += TTL; // expired: the next query refreshes, the socket restarts with the new token
        expect(await run(http, round, leaks)).toBe('ok');
        const before = ticks.length;
        await tickArrived.until(() => ticks.length > before, 'ticks after the refresh');
      }
      const counters = server.counters;
      leaks.secret(...counters.refreshTokensSeen, ...counters.requestTokens);
      const refreshTokens = [session.refreshToken, ...counters.refreshTokensSeen].filter(
        (token): token is string => typeof token === 'string',
      );
      expect(counters.refreshes).toBe(3);
      const accepted = counters.wsConnections.filter((connection) => connection.accepted);
      expect(accepted.length).toBeGreaterThanOrEqual(4);
      const inits = sent.filter((message) => message.includes('connection_init'));
      expect(inits.length).toBeGreaterThanOrEqual(4);
      const leaked = sent.filter((message) =>
        refreshTokens.some((token) => message.includes(token)),
      );
      expect(leaked).toEqual([]);
      // And each access token that went out was one the refresh endpoint issued for carol.
      expect(new Set(counters.requestTokens.map(subject))).toEqual(new Set(['carol']));
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
      const session = await server.login('dave');
      leaks.secret(session.accessToken, session.refreshToken);
      const manager = managerFor(server, leaks, {
        now: () => clock,
        storage: memoryStorage(session),
      });
      manager.on('refreshFailed', (error) => leaks.error(error));
      const client = clientFor(server, manager);
      try {
        clock += TTL; // the stored token expired: the next query refreshes
        breakIt();
        const outcome = await run(client, 7, leaks);
        seen.push(`${name}: ${outcome}`);
        // Manager calls the app may make directly fail the same way.
        await manager.refresh().catch((error: unknown) => leaks.error(error));
      } finally {
        server.knobs.refresh = 'ok';
        server.knobs.rejectAllTokens = false;
        manager.dispose();
        client.stop();
      }
    }
    const counters = server.counters;
    leaks.secret(...counters.requestTokens, ...counters.refreshTokensSeen);
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
