/**
 * Fault injection against the real test server: each row breaks the refresh endpoint, the
 * GraphQL endpoint or the ws server in one way, runs concurrent operations through a real
 * ApolloClient + HttpLink + createTokenRefreshLink, and checks what the app sees, how many
 * refreshes and requests it took, and that no operation was lost or sent too often.
 */
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer } from '../../fixtures/server/index.js';
import type { RefreshMode, TestServer, TestServerKnobs } from '../../fixtures/server/types.js';
import { memoryStorage, type TokenManagerOptions } from '../../src/index.js';
import { createAuthWsClient } from '../../src/ws.js';
import {
  classify,
  clientFor,
  createProxy,
  managerFor,
  run,
  TICKS,
  tally,
  until,
} from './harness.js';
import { createLeakCheck } from './leaks.js';

const N = 4;
const leaks = createLeakCheck();
let server: TestServer;
const table: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  leaks.restore();
  process.stdout.write(`\n${table.join('\n')}\n`);
});

const reset = () => {
  Object.assign(server.knobs, {
    refresh: 'ok',
    refreshLatencyMs: 0,
    rejectAllTokens: false,
    graphqlLatencyMs: 0,
    graphql502: 0,
    graphqlDrop: 0,
    unauthenticatedAs: '200',
    ws: { connect: 'verify', closeAtExpiry: false },
  } satisfies TestServerKnobs);
  server.resetCounters();
};
beforeEach(reset);

/** A session whose access token is already expired (so the first operation refreshes) or valid. */
async function session(state: 'expired' | 'valid', options: Partial<TokenManagerOptions> = {}) {
  const s = await server.login();
  const accessToken =
    state === 'expired' ? await server.signAccessToken({ ttlMs: -60_000 }) : s.accessToken;
  leaks.secret(s.accessToken, s.refreshToken, accessToken);
  const manager = managerFor(server, leaks, {
    ...options,
    storage: memoryStorage({ accessToken, refreshToken: s.refreshToken }),
  });
  let logouts = 0;
  manager.on('logout', () => logouts++);
  return { manager, client: clientFor(server, manager), logouts: () => logouts };
}

interface Row {
  name: string;
  state: 'expired' | 'valid';
  knobs: (k: TestServerKnobs) => void;
  options?: Partial<TokenManagerOptions>;
  /** Revoke the valid access token first (the server rejects it before its exp). */
  revoke?: boolean;
  /** What the N concurrent operations see, as `tally()` prints it. */
  sees: string;
  refreshes: number;
  requests: number;
  /** After the row, with healthy knobs: `ok` (session kept) or what a signed-out app sees. */
  next: string;
}

const refreshRow = (
  mode: RefreshMode,
  sees: string,
  refreshes: number,
  requests: number,
  next = 'ok',
  options?: Partial<TokenManagerOptions>,
): Row => ({
  name: `refresh ${mode}`,
  state: 'expired',
  knobs: (k) => {
    k.refresh = mode;
  },
  sees,
  refreshes,
  requests,
  next,
  ...(options && { options }),
});

const rows: Row[] = [
  refreshRow('500', `REFRESH_FAILED×${N}`, 2, 0),
  refreshRow('503-once', `ok×${N}`, 2, N),
  refreshRow('hang', `REFRESH_FAILED×${N}`, 2, 0, 'ok', { refreshTimeoutMs: 150 }),
  refreshRow('drop', `REFRESH_FAILED×${N}`, 2, 0),
  refreshRow('malformed', `REFRESH_FAILED×${N}`, 2, 0),
  refreshRow('missing-access-token', `REFRESH_FAILED×${N}`, 2, 0),
  // The server hands out a token that is already expired: the manager refuses it as a
  // transient failure (retried once), nothing is sent with it, the session is kept.
  refreshRow('expired-access-token', `REFRESH_FAILED×${N}`, 2, 0),
  // A token the client cannot tell is forged: the server rejects it, same bounded path.
  refreshRow('bad-signature', `UNAUTHENTICATED×${N}`, 2, 2 * N),
  // No exp: an opaque token to the client, valid to the server.
  refreshRow('no-exp', `ok×${N}`, 1, N),
  // Signed out, the next operation goes without a header; the server's UNAUTHENTICATED makes
  // the link try one cookie-style refresh (refreshToken undefined), which the server refuses.
  refreshRow('401', `SESSION_EXPIRED×${N}`, 1, 0, 'SESSION_EXPIRED'),
  {
    name: 'graphql connection reset (1 request)',
    state: 'valid',
    knobs: (k) => {
      k.graphqlDrop = 1;
    },
    sees: `ok×${N - 1}, TypeError×1`,
    refreshes: 0,
    requests: N,
    next: 'ok',
  },
  {
    name: 'graphql 502 (1 request)',
    state: 'valid',
    knobs: (k) => {
      k.graphql502 = 1;
    },
    sees: `HTTP 502×1, ok×${N - 1}`,
    refreshes: 0,
    requests: N,
    next: 'ok',
  },
  {
    name: 'graphql slow (300 ms)',
    state: 'valid',
    knobs: (k) => {
      k.graphqlLatencyMs = 300;
    },
    sees: `ok×${N}`,
    refreshes: 0,
    requests: N,
    next: 'ok',
  },
  {
    name: 'graphql slow + token revoked',
    state: 'valid',
    revoke: true,
    knobs: (k) => {
      k.graphqlLatencyMs = 100;
    },
    sees: `ok×${N}`,
    refreshes: 1,
    requests: 2 * N,
    next: 'ok',
  },
];

describe('HTTP faults', () => {
  it.each(rows)('$name', async (row) => {
    const { manager, client, logouts } = await session(row.state, row.options);
    try {
      if (row.revoke) {
        const t = await manager.getAccessToken();
        if (t) server.revokeAccessToken(t);
      }
      row.knobs(server.knobs);
      const base = N * 100;
      const started = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: N }, (_, i) => run(client, base + i, leaks)),
      );
      const ms = Math.round(performance.now() - started);
      const c = server.counters;
      leaks.secret(...c.requestTokens, ...c.refreshTokensSeen);
      // Lost: every operation settled (Promise.all returned). Duplicated: no variable was sent
      // more than twice (first attempt + the one retry).
      const perOp = new Map<unknown, number>();
      for (const v of c.requestVariables) perOp.set(v.n, (perOp.get(v.n) ?? 0) + 1);
      const maxSends = Math.max(0, ...perOp.values());
      const maxConcurrent = c.maxConcurrentRefreshes;
      const seen = { sees: tally(outcomes), refreshes: c.refreshes, requests: c.requests };

      reset();
      const after = await run(client, base + 99, leaks);
      const afterTokens = [...c.requestTokens];
      const afterRefreshes = c.refreshes;
      table.push(
        `| ${row.name} | ${seen.sees} | ${seen.refreshes} | ${seen.requests} | ${maxSends} | ${after} (${afterRefreshes} refresh) | ${logouts()} | ${ms} ms |`,
      );
      expect(seen).toEqual({ sees: row.sees, refreshes: row.refreshes, requests: row.requests });
      expect(maxSends).toBeLessThanOrEqual(2);
      // A hung request the client aborted may still look open to the server when the retry
      // arrives: there the manager's own single flight is what counts (properties.test.ts).
      if (row.name !== 'refresh hang') expect(maxConcurrent).toBeLessThanOrEqual(1);
      // Hung refresh: 2 attempts × 150 ms timeout + 10 ms backoff, then every operation errors.
      else expect(ms).toBeLessThan(1_500);
      expect(after).toBe(row.next);
      expect(afterRefreshes).toBeLessThanOrEqual(1);
      if (row.next === 'SESSION_EXPIRED') expect(afterTokens).toEqual([null]);
      expect(logouts()).toBe(row.sees.startsWith('SESSION_EXPIRED') ? 1 : 0);
    } finally {
      manager.dispose();
      client.stop();
    }
  });
});

describe('ws faults', () => {
  /** A subscription through createAuthWsClient; records every tick and error the app sees. */
  async function subscription(wsUrl: string, retryWait = 20) {
    const s = await server.login();
    leaks.secret(s.accessToken, s.refreshToken);
    const manager = managerFor(server, leaks, { storage: memoryStorage(s) });
    const ws = createAuthWsClient(manager, {
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 5,
      retryWait: () => new Promise((r) => setTimeout(r, retryWait)),
    });
    const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const ticks: number[] = [];
    const errors: string[] = [];
    let completed = false;
    const sub = client.subscribe({ query: TICKS, variables: { intervalMs: 10 } }).subscribe({
      next: (r) => {
        if (r.error) {
          leaks.error(r.error);
          errors.push(classify(r.error));
          return;
        }
        const n = (r.data as { ticks?: unknown } | undefined)?.ticks;
        if (typeof n === 'number') ticks.push(n);
      },
      error: (e: unknown) => {
        leaks.error(e);
        errors.push(classify(e));
      },
      complete: () => {
        completed = true;
      },
    });
    return {
      manager,
      ticks,
      errors,
      completed: () => completed,
      async close() {
        sub.unsubscribe();
        manager.dispose();
        await ws.dispose();
        client.stop();
      },
    };
  }

  const record = (name: string, sees: string, c: TestServer['counters'], ticks: number) =>
    table.push(
      `| ws: ${name} | ${sees} | ${c.refreshes} | ${c.wsConnections.length} conn (${c.wsConnections.filter((x) => x.accepted).length} accepted) | - | ticks ${ticks} | - | - |`,
    );

  it('server killed and restarted mid-subscription: resumes, no error', async () => {
    const proxy = await createProxy(server.origin);
    const s = await subscription(proxy.url('/graphql'));
    try {
      await until(() => s.ticks.length >= 3, 5_000, 'first ticks');
      await proxy.kill();
      const before = s.ticks.length;
      await proxy.start();
      await until(() => s.ticks.length >= before + 3, 5_000, 'ticks after the restart');
      const c = server.counters;
      leaks.secret(...c.wsConnections.map((x) => x.token));
      record('killed + restarted', s.errors.length ? tally(s.errors) : 'ok', c, s.ticks.length);
      expect(s.errors).toEqual([]);
      expect(s.completed()).toBe(false);
      expect(c.refreshes).toBe(0);
      expect(c.wsConnections.filter((x) => x.accepted).length).toBe(2);
    } finally {
      await s.close();
      await proxy.kill();
    }
  });

  it('server closes without a reason (1000): resumes, no error', async () => {
    const s = await subscription(server.wsUrl);
    try {
      await until(() => s.ticks.length >= 3, 5_000, 'first ticks');
      server.closeWsConnections(1000);
      const before = s.ticks.length;
      await until(() => s.ticks.length >= before + 3, 5_000, 'ticks after the close');
      const c = server.counters;
      record('close 1000, no reason', s.errors.length ? tally(s.errors) : 'ok', c, s.ticks.length);
      expect(s.errors).toEqual([]);
      expect(c.refreshes).toBe(0);
      expect(c.wsConnections.filter((x) => x.accepted).length).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('token revoked, server closes 4401: one refresh, resumes', async () => {
    server.knobs.ws.connect = 'verify-4401';
    const s = await subscription(server.wsUrl);
    try {
      await until(() => s.ticks.length >= 3, 5_000, 'first ticks');
      const t = await s.manager.getAccessToken();
      if (t) server.revokeAccessToken(t);
      server.closeWsConnections(4401, 'Unauthorized');
      const before = s.ticks.length;
      await until(() => s.ticks.length >= before + 3, 5_000, 'ticks after re-auth');
      const c = server.counters;
      leaks.secret(...c.wsConnections.map((x) => x.token));
      record('revoked + 4401', s.errors.length ? tally(s.errors) : 'ok', c, s.ticks.length);
      expect(s.errors).toEqual([]);
      expect(c.refreshes).toBe(1);
      expect(c.wsConnections.filter((x) => x.accepted).length).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('server rejects every connection (4403 loop): SESSION_EXPIRED, bounded', async () => {
    server.knobs.ws.connect = 'reject-all';
    const s = await subscription(server.wsUrl);
    try {
      await until(() => s.errors.length > 0 || s.completed(), 5_000, 'the subscription to end');
      const c = server.counters;
      leaks.secret(...c.wsConnections.map((x) => x.token));
      record('reject-all (4403 loop)', tally(s.errors), c, s.ticks.length);
      expect(s.errors).toEqual(['SESSION_EXPIRED']);
      expect(c.refreshes).toBeLessThanOrEqual(1);
      expect(c.wsConnections.length).toBeLessThanOrEqual(2);
    } finally {
      await s.close();
    }
  });
});

describe('no token leaks in anything the fault suite saw', () => {
  it('scans every error and console line for every issued token', () => {
    const counts = leaks.counts();
    expect(counts.errors).toBeGreaterThan(0);
    expect(counts.secrets).toBeGreaterThan(0);
    expect(leaks.findings()).toEqual([]);
  });
});

// Header for the table printed in afterAll.
table.push(
  '| fault | app sees (N=4) | refreshes | requests | max sends/op | next op | logouts | time |',
  '|---|---|---|---|---|---|---|---|',
);
