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
import { TicksDocument } from '../../fixtures/__generated__/graphql.js';
import { startTestServer } from '../../fixtures/server/index.js';
import type { RefreshMode, TestServer, TestServerKnobs } from '../../fixtures/server/types.js';
import { memoryStorage, type TokenManagerOptions } from '../../src/index.js';
import { createAuthWsClient } from '../../src/ws.js';
import { createLeakCheck } from '../support/leaks.js';
import { describeError, tally } from '../support/outcomes.js';
import { condition } from '../support/wait.js';
import { clientFor, createProxy, managerFor, run } from './harness.js';

/** Concurrent operations per HTTP row. */
const CONCURRENT = 4;
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
  const signedIn = await server.login();
  const accessToken =
    state === 'expired' ? await server.signAccessToken({ ttlMs: -60_000 }) : signedIn.accessToken;
  leaks.secret(signedIn.accessToken, signedIn.refreshToken, accessToken);
  const manager = managerFor(server, leaks, {
    ...options,
    storage: memoryStorage({ accessToken, refreshToken: signedIn.refreshToken }),
  });
  let logouts = 0;
  manager.on('logout', () => logouts++);
  return { manager, client: clientFor(server, manager), logouts: () => logouts };
}

interface Row {
  name: string;
  state: 'expired' | 'valid';
  /** Set on the server for the row (the others stay healthy). */
  knobs: Partial<TestServerKnobs>;
  options?: Partial<TokenManagerOptions>;
  /** Revoke the valid access token first (the server rejects it before its exp). */
  revoke?: boolean;
  /** What the CONCURRENT operations see, as `tally()` prints it. */
  sees: string;
  refreshes: number;
  requests: number;
  /** After the row, with healthy knobs: `ok` (session kept) or what a signed-out app sees. */
  next: string;
}

/** A broken refresh endpoint; the session's access token already expired. */
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
  knobs: { refresh: mode },
  sees,
  refreshes,
  requests,
  next,
  ...(options && { options }),
});

/** A broken GraphQL endpoint under a valid token: by default no refresh, one request each. */
const graphqlRow = (
  name: string,
  knobs: Partial<TestServerKnobs>,
  sees: string,
  expected: Partial<Pick<Row, 'revoke' | 'refreshes' | 'requests'>> = {},
): Row => ({
  name,
  state: 'valid',
  knobs,
  sees,
  refreshes: 0,
  requests: CONCURRENT,
  next: 'ok',
  ...expected,
});

const rows: Row[] = [
  refreshRow('500', `REFRESH_FAILED×${CONCURRENT}`, 2, 0),
  refreshRow('503-once', `ok×${CONCURRENT}`, 2, CONCURRENT),
  refreshRow('hang', `REFRESH_FAILED×${CONCURRENT}`, 2, 0, 'ok', { refreshTimeoutMs: 150 }),
  refreshRow('drop', `REFRESH_FAILED×${CONCURRENT}`, 2, 0),
  refreshRow('malformed', `REFRESH_FAILED×${CONCURRENT}`, 2, 0),
  refreshRow('missing-access-token', `REFRESH_FAILED×${CONCURRENT}`, 2, 0),
  // The server hands out a token that is already expired: the manager refuses it as a
  // transient failure (retried once), nothing is sent with it, the session is kept.
  refreshRow('expired-access-token', `REFRESH_FAILED×${CONCURRENT}`, 2, 0),
  // A token the client cannot tell is forged: the server rejects it, same bounded path.
  refreshRow('bad-signature', `UNAUTHENTICATED×${CONCURRENT}`, 2, 2 * CONCURRENT),
  // No exp: an opaque token to the client, valid to the server.
  refreshRow('no-exp', `ok×${CONCURRENT}`, 1, CONCURRENT),
  // Signed out, the next operation goes without a header and gets the server's UNAUTHENTICATED
  // as it came: a session that ended stays ended, nothing calls refresh.
  refreshRow('401', `SESSION_EXPIRED×${CONCURRENT}`, 1, 0, 'UNAUTHENTICATED'),
  graphqlRow(
    'graphql connection reset (1 request)',
    { graphqlDrop: 1 },
    `ok×${CONCURRENT - 1}, TypeError×1`,
  ),
  graphqlRow('graphql 502 (1 request)', { graphql502: 1 }, `HTTP 502×1, ok×${CONCURRENT - 1}`),
  graphqlRow('graphql slow (300 ms)', { graphqlLatencyMs: 300 }, `ok×${CONCURRENT}`),
  // Each operation is rejected once, all wait for one refresh, each is retried once.
  graphqlRow('graphql slow + token revoked', { graphqlLatencyMs: 100 }, `ok×${CONCURRENT}`, {
    revoke: true,
    refreshes: 1,
    requests: 2 * CONCURRENT,
  }),
];

/** What a row proves, as its test name: the fault, what the app sees, what it cost, what follows. */
const behaviourOf = (row: Row) =>
  `${row.name}: the app sees ${row.sees} (refresh calls: ${row.refreshes}, GraphQL requests: ${row.requests}); the next operation: ${row.next}`;

describe('HTTP faults', () => {
  it.each(rows.map((row) => [behaviourOf(row), row] as const))('%s', async (_, row) => {
    const { manager, client, logouts } = await session(row.state, row.options);
    try {
      if (row.revoke) {
        const token = await manager.getAccessToken();
        if (token) server.revokeAccessToken(token);
      }
      Object.assign(server.knobs, row.knobs);
      const base = CONCURRENT * 100;
      const started = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, index) => run(client, base + index, leaks)),
      );
      const ms = Math.round(performance.now() - started);
      const counters = server.counters;
      leaks.secret(...counters.requestTokens, ...counters.refreshTokensSeen);
      // Lost: every operation settled (Promise.all returned). Duplicated: no variable was sent
      // more than twice (first attempt + the one retry).
      const sendsPerOperation = new Map<unknown, number>();
      for (const { n: operation } of counters.requestVariables)
        sendsPerOperation.set(operation, (sendsPerOperation.get(operation) ?? 0) + 1);
      const maxSends = Math.max(0, ...sendsPerOperation.values());
      const maxConcurrent = counters.maxConcurrentRefreshes;
      const seen = {
        sees: tally(outcomes),
        refreshes: counters.refreshes,
        requests: counters.requests,
      };

      reset();
      const after = await run(client, base + 99, leaks);
      const afterTokens = [...counters.requestTokens];
      const afterRefreshes = counters.refreshes;
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
      if (row.sees.startsWith('SESSION_EXPIRED')) {
        expect(afterTokens).toEqual([null]);
        expect(afterRefreshes).toBe(0);
      }
      expect(logouts()).toBe(row.sees.startsWith('SESSION_EXPIRED') ? 1 : 0);
    } finally {
      manager.dispose();
      client.stop();
    }
  });
});

describe('ws faults', () => {
  /** A subscription through createAuthWsClient; records every tick and error the app sees. */
  async function subscription(wsUrl: string) {
    const signedIn = await server.login();
    leaks.secret(signedIn.accessToken, signedIn.refreshToken);
    const manager = managerFor(server, leaks, { storage: memoryStorage(signedIn) });
    const ws = createAuthWsClient(manager, {
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 5,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 20)),
    });
    const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const ticks: number[] = [];
    const errors: string[] = [];
    let completed = false;
    const changes = condition();
    const seeError = (error: unknown) => {
      leaks.error(error);
      errors.push(describeError(error));
      changes.poke();
    };
    const sub = client
      .subscribe({ query: TicksDocument, variables: { intervalMs: 10 } })
      .subscribe({
        next: (result) => {
          if (result.error) seeError(result.error);
          else if (typeof result.data?.ticks === 'number') ticks.push(result.data.ticks);
          changes.poke();
        },
        error: seeError,
        complete: () => {
          completed = true;
          changes.poke();
        },
      });
    return {
      manager,
      ticks,
      errors,
      completed: () => completed,
      /** Resolves once `holds()` is true, re-checked at every tick, error or completion. */
      until: changes.until,
      async close() {
        sub.unsubscribe();
        manager.dispose();
        await ws.dispose();
        client.stop();
      },
    };
  }
  type Subscription = Awaited<ReturnType<typeof subscription>>;

  /** Adds the row to the printed table; returns the server's counters, their tokens registered. */
  const record = (name: string, watched: Subscription) => {
    const counters = server.counters;
    leaks.secret(...counters.wsConnections.map((connection) => connection.token));
    const accepted = counters.wsConnections.filter((connection) => connection.accepted).length;
    const sees = watched.errors.length ? tally(watched.errors) : 'ok';
    table.push(
      `| ws: ${name} | ${sees} | ${counters.refreshes} | ${counters.wsConnections.length} conn (${accepted} accepted) | - | ticks ${watched.ticks.length} | - | - |`,
    );
    return { ...counters, accepted };
  };

  /**
   * Waits for three ticks, breaks the connection with `interrupt`, waits for three more (the
   * subscription resumed), and records the row.
   */
  async function resumesAfter(name: string, watched: Subscription, interrupt: () => unknown) {
    await watched.until(() => watched.ticks.length >= 3, 'first ticks');
    await interrupt();
    const before = watched.ticks.length;
    await watched.until(() => watched.ticks.length >= before + 3, `ticks after: ${name}`);
    return record(name, watched);
  }

  /** Runs `test` with a subscription on `wsUrl`, closed after it whatever happens. */
  async function withSubscription(wsUrl: string, test: (watched: Subscription) => Promise<void>) {
    const watched = await subscription(wsUrl);
    try {
      await test(watched);
    } finally {
      await watched.close();
    }
  }

  it('server killed and restarted mid-subscription: resumes, no error', async () => {
    const proxy = await createProxy(server.origin);
    try {
      await withSubscription(proxy.url('/graphql'), async (watched) => {
        const counters = await resumesAfter('killed + restarted', watched, async () => {
          await proxy.kill();
          await proxy.start();
        });
        expect(watched.errors).toEqual([]);
        expect(watched.completed()).toBe(false);
        expect(counters.refreshes).toBe(0);
        expect(counters.accepted).toBe(2);
      });
    } finally {
      await proxy.kill();
    }
  });

  const interruptions = [
    {
      title: 'server closes without a reason (1000): resumes, no error',
      row: 'close 1000, no reason',
      connect: 'verify',
      refreshes: 0,
      interrupt: async () => server.closeWsConnections(1000),
    },
    {
      title: 'token revoked, server closes 4401: one refresh, resumes',
      row: 'revoked + 4401',
      connect: 'verify-4401',
      refreshes: 1,
      interrupt: async (watched: Subscription) => {
        const token = await watched.manager.getAccessToken();
        if (token) server.revokeAccessToken(token);
        server.closeWsConnections(4401, 'Unauthorized');
      },
    },
  ] as const;
  // The title is the test name as it is: vitest shortens a `$title` interpolation.
  it.each(interruptions.map((interruption) => [interruption.title, interruption] as const))(
    '%s',
    (_, { row, connect, refreshes, interrupt }) => {
      server.knobs.ws.connect = connect;
      return withSubscription(server.wsUrl, async (watched) => {
        const counters = await resumesAfter(row, watched, () => interrupt(watched));
        expect(watched.errors).toEqual([]);
        expect(counters.refreshes).toBe(refreshes);
        expect(counters.accepted).toBe(2);
      });
    },
  );

  it('server rejects every connection (4403 loop): SESSION_EXPIRED, bounded', () => {
    server.knobs.ws.connect = 'reject-all';
    return withSubscription(server.wsUrl, async (watched) => {
      const ended = () => watched.errors.length > 0 || watched.completed();
      await watched.until(ended, 'the subscription to end');
      const counters = record('reject-all (4403 loop)', watched);
      expect(watched.errors).toEqual(['SESSION_EXPIRED']);
      expect(counters.refreshes).toBeLessThanOrEqual(1);
      expect(counters.wsConnections.length).toBeLessThanOrEqual(2);
    });
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
  `| fault | app sees (${CONCURRENT} at once) | refreshes | requests | max sends/op | next op | logouts | time |`,
  '|---|---|---|---|---|---|---|---|',
);
