/**
 * `npm run demo`: apollo-token-refresh against the embedded test server, in real time.
 *
 * Access tokens live 5 s. Every ~1.5 s a burst of 50 concurrent queries goes out, across several
 * expiries; before one burst the server revokes the current token, to show reactive recovery.
 * Each burst prints what happened; a summary table closes the run. Exits by itself (~20 s):
 * code 0 when every operation succeeded, 1 otherwise.
 *
 * It imports the package by its name, as an app does. `npm run demo` (tsx) resolves that name
 * through tsconfig `paths` to `src/`, so a fresh clone runs it without a build.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { createTokenRefreshLink, TokenManager } from 'apollo-token-refresh';
import { EchoDocument } from '../fixtures/__generated__/graphql.js';
import { startTestServer } from '../fixtures/server/index.js';
import { httpRefresh } from '../fixtures/server/refresh.js';
import { startTicksDemo } from './subscription.js';

const TOKEN_TTL_MS = 5_000;
const BURSTS = 12;
const BURST_SIZE = 50;
const EVERY_MS = 1_500;
const REVOKE_BEFORE = 8; // this burst finds its token revoked by the server

interface Row {
  burst: number;
  at: string;
  note: string;
  refreshes: number;
  unauthorized: number;
  ok: number;
  errors: number;
  ms: number;
  ticks: number;
}

const errorCode = (e: unknown) => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'UNKNOWN';
};

async function main(): Promise<number> {
  const server = await startTestServer({ accessTtlMs: TOKEN_TTL_MS });
  const manager = new TokenManager({
    refresh: httpRefresh(server.refreshUrl),
    refreshBeforeExpiryMs: 1_000,
    refreshTimeoutMs: 3_000,
  });
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([createTokenRefreshLink(manager), new HttpLink({ uri: server.url })]),
  });
  // Live subscription over graphql-ws (apollo-token-refresh/ws), running through every burst.
  const ticks = startTicksDemo(server, manager);
  const rows: Row[] = [];
  const errorCodes = new Map<string, number>();
  const start = Date.now();
  try {
    await manager.setTokens(await server.login());
    console.log(
      `apollo-token-refresh demo: ${BURSTS} bursts of ${BURST_SIZE} queries every ${EVERY_MS} ms, ` +
        `${TOKEN_TTL_MS / 1000} s access tokens, server ${server.origin}\n`,
    );
    console.log(header());
    // Counted from the end of the previous burst, so refreshes the subscription triggered
    // between bursts show up too.
    let before = { ...server.counters };
    let ticksBefore = ticks.ticks;
    for (let b = 1; b <= BURSTS; b++) {
      const due = start + (b - 1) * EVERY_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      let note = '';
      if (b === REVOKE_BEFORE) {
        const token = await manager.getAccessToken();
        if (token) server.revokeAccessToken(token);
        note = 'token revoked by server';
      }
      const t0 = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: BURST_SIZE }, (_, i) =>
          client.query({
            query: EchoDocument,
            variables: { n: b * 1000 + i },
            fetchPolicy: 'no-cache',
          }),
        ),
      );
      const ms = Math.round(performance.now() - t0);
      const failed = results.filter((r) => r.status === 'rejected');
      for (const r of failed) {
        const code = errorCode(r.reason);
        errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
      }
      const refreshes = server.counters.refreshes - before.refreshes;
      const unauthorized = server.counters.unauthorized - before.unauthorized;
      if (!note && refreshes) note = 'expiring token: refreshed first';
      const row: Row = {
        burst: b,
        at: `${((Date.now() - start) / 1000).toFixed(1)} s`,
        note: note || '-',
        refreshes,
        unauthorized,
        ok: results.length - failed.length,
        errors: failed.length,
        ms,
        ticks: ticks.ticks - ticksBefore,
      };
      before = { ...server.counters };
      ticksBefore = ticks.ticks;
      rows.push(row);
      console.log(line(row));
    }
  } finally {
    await ticks.stop().catch(() => {});
    client.stop();
    manager.dispose();
    await server.close();
  }

  const sum = (k: keyof Row) => rows.reduce((n, r) => n + Number(r[k]), 0);
  const total = BURSTS * BURST_SIZE;
  console.log(`\nSummary (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  console.table({
    operations: total,
    succeeded: sum('ok'),
    failed: sum('errors'),
    'refresh calls': sum('refreshes'),
    'requests answered 401 / UNAUTHENTICATED': sum('unauthorized'),
    'slowest burst (ms)': Math.max(...rows.map((r) => r.ms)),
    'subscription ticks': ticks.ticks,
    'subscription errors': ticks.errors,
  });
  console.log(ticks.summary());
  if (errorCodes.size) console.log('errors by code:', Object.fromEntries(errorCodes));
  const ok = sum('errors') === 0 && rows.length === BURSTS && ticks.errors === 0;
  console.log(ok ? 'OK: no operation failed.' : 'FAILED: some operations failed.');
  return ok ? 0 : 1;
}

const cols = [
  'burst',
  'at',
  'refreshes',
  '401s',
  'ok',
  'errors',
  'wall ms',
  'ticks',
  'what happened',
];
const widths = [5, 7, 9, 5, 4, 6, 7, 5, 0];
const pad = (cells: (string | number)[]) =>
  cells.map((c, i) => String(c).padStart(widths[i] ?? 0)).join('  ');
const header = () => pad(cols);
const line = (r: Row) =>
  pad([r.burst, r.at, r.refreshes, r.unauthorized, r.ok, r.errors, r.ms, r.ticks, r.note]);

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('demo crashed:', errorCode(error), error instanceof Error ? error.message : '');
    process.exitCode = 1;
  },
);
