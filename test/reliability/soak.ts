/**
 * Soak: 10,000 operations over 100 token lifetimes (`--quick`: 1,000 over 10) through a real
 * ApolloClient + HttpLink + createTokenRefreshLink, with one graphql-ws subscription open the
 * whole time and random faults on 1% of operations. An injected clock moves through the
 * lifetimes, so it takes seconds, not 100 minutes. Exits non-zero when a criterion fails.
 *
 *   npm run soak [-- --quick] [-- --seed=N] [-- --lifetimes=N]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { WebSocket } from 'ws';
import { EchoDocument, TicksDocument } from '../../fixtures/__generated__/graphql.js';
import { startServerProcess } from '../../fixtures/server/process.js';
import { memoryStorage } from '../../src/index.js';
import { createAuthWsClient } from '../../src/ws.js';
import { describeError, tally } from '../support/outcomes.js';
import { clientFor, managerFor } from './harness.js';

const quick = process.argv.includes('--quick');
const seedArg = process.argv.find((arg) => arg.startsWith('--seed='));
const seed = seedArg ? Number(seedArg.slice(7)) : 20261122;
const lifetimesArg = process.argv.find((arg) => arg.startsWith('--lifetimes='));
/** `--lifetimes=N` runs longer (or shorter), 100 operations per lifetime. */
const LIFETIMES = lifetimesArg ? Number(lifetimesArg.slice(12)) : quick ? 10 : 100;
const OPS = LIFETIMES * 100;
const BATCH = 10; // operations in flight at once
const TTL = 60_000;
const FAULT_RATE = 0.01;
const OP_TIMEOUT_MS = 15_000; // an operation still unsettled after this (real time) is lost
const MAX_HEAP_GROWTH = 0.1;
// Apollo Client's own bounded caches (print, checkDocument, …: 1,000-2,000 entries) fill during
// the first ~2,000 distinct operations; the baseline is taken after they are full.
const WARMUP = 20;
/** Heap samples: five across the run. */
const EVERY = Math.max(1, Math.round(LIFETIMES / 5));

// Seeded PRNG (mulberry32): a failing run can be replayed with --seed.
let randomState = seed >>> 0;
const random = () => {
  randomState = (randomState + 0x6d2b79f5) >>> 0;
  let mixed = randomState;
  mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
  mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
  return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
};

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();
const heap = () => {
  for (let round = 0; round < 3; round++) gc();
  return process.memoryUsage().heapUsed;
};

type Fault = 'refresh 500' | 'refresh drop' | 'graphql 502' | 'graphql drop' | 'revocation';
const FAULTS: Fault[] = [
  'refresh 500',
  'refresh drop',
  'graphql 502',
  'graphql drop',
  'revocation',
];

const safeJson = (value: unknown) => {
  try {
    return JSON.stringify(value);
  } catch {
    return '';
  }
};

async function main() {
  let clock = Date.UTC(2026, 0, 1);
  const now = () => clock;
  // The test server in a process of its own: its memory (mock store, sessions) stays out of this
  // heap, so the heap figures measure the client side (library + Apollo) alone.
  const server = await startServerProcess({ clock, accessTtlMs: TTL });
  // Every error is scanned for the newest tokens at once, never kept: retained errors (stacks,
  // responses) would show up as heap growth.
  const recent: string[] = [];
  let leaks = 0;
  const scan = (error: unknown) => {
    let text = '';
    let cause: unknown = error;
    for (let depth = 0; cause && depth < 5; depth++) {
      const { message, stack } = cause as { message?: unknown; stack?: unknown };
      text += `${String(message)} ${String(stack)} ${safeJson(cause)}`;
      cause = (cause as { cause?: unknown }).cause;
    }
    if (recent.some((token) => text.includes(token))) leaks++;
  };
  const sink = {
    secret: (...values: (string | null | undefined)[]) => {
      for (const value of values) if (value) recent.push(value);
      recent.splice(0, Math.max(0, recent.length - 6));
    },
    error: scan,
  };
  const first = await server.call('login', 'soak');
  sink.secret(first.accessToken, first.refreshToken);
  const manager = managerFor(server, sink, {
    now,
    refreshBeforeExpiryMs: 5_000,
    storage: memoryStorage(first),
  });
  const client = clientFor(server, manager);
  const ws = createAuthWsClient(manager, {
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 20)),
  });
  const wsClient = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });

  let ticks = 0;
  const subErrors: string[] = [];
  let subCompleted = false;
  const subscription = wsClient
    .subscribe({ query: TicksDocument, variables: { intervalMs: 5 } })
    .subscribe({
      next: (result) => {
        if (!result.error) return void ticks++;
        scan(result.error);
        subErrors.push(describeError(result.error));
      },
      error: (error: unknown) => {
        scan(error);
        subErrors.push(describeError(error));
      },
      complete: () => {
        subCompleted = true;
      },
    });

  // Totals across counter resets (the server's per-request logs would otherwise grow the heap).
  const total = { requests: 0, refreshes: 0, unauthorized: 0, maxConcurrentRefreshes: 0 };
  const drain = async () => {
    const counters = await server.call('drain');
    total.requests += counters.requests;
    total.refreshes += counters.refreshes;
    total.unauthorized += counters.unauthorized;
    total.maxConcurrentRefreshes = Math.max(
      total.maxConcurrentRefreshes,
      counters.maxConcurrentRefreshes,
    );
  };

  const faults = new Map<Fault, number>();
  // Fixed-size bookkeeping, so the soak's own records do not show up as heap growth.
  const outcomes = new Map<string, number>();
  const succeeded = new Uint8Array(OPS);
  let settled = 0;
  let lost = 0;
  let sent = 0;

  const op = async (n: number) => {
    sent++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('LOST'), OP_TIMEOUT_MS);
    });
    const result = client
      .query({ query: EchoDocument, variables: { n }, fetchPolicy: 'no-cache' })
      .then(
        (answer) => {
          if (answer.error) {
            scan(answer.error);
            return describeError(answer.error);
          }
          if (answer.data?.echo !== n) return 'WRONG_DATA';
          succeeded[n] = (succeeded[n] ?? 0) + 1;
          return 'ok';
        },
        (error: unknown) => {
          scan(error);
          return describeError(error);
        },
      );
    const outcome = await Promise.race([result, timeout]);
    clearTimeout(timer);
    if (outcome === 'LOST') lost++;
    else settled++;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  };

  const inject = async () => {
    const fault = FAULTS[Math.floor(random() * FAULTS.length)] as Fault;
    faults.set(fault, (faults.get(fault) ?? 0) + 1);
    if (fault === 'refresh 500') await server.call('knobs', { refresh: '500' });
    if (fault === 'refresh drop') await server.call('knobs', { refresh: 'drop' });
    if (fault === 'graphql 502') await server.call('bump', 'graphql502');
    if (fault === 'graphql drop') await server.call('bump', 'graphqlDrop');
    if (fault === 'revocation') {
      const token = await manager.getAccessToken().catch(() => null);
      if (token) await server.call('revoke', token);
    }
  };

  const perLifetime = OPS / LIFETIMES;
  const batchesPerLifetime = perLifetime / BATCH;
  const step = TTL / batchesPerLifetime;
  /** One token lifetime of operations; `faulty` injects faults and counts into the figures. */
  const lifetime = async (faulty: boolean) => {
    for (let batchIndex = 0; batchIndex < batchesPerLifetime; batchIndex++) {
      const batch: Promise<void>[] = [];
      for (let slot = 0; slot < BATCH; slot++) {
        if (faulty && random() < FAULT_RATE) await inject();
        batch.push(faulty ? op(n++) : warm());
      }
      await Promise.all(batch);
      // Refresh faults last one batch: the next batch finds the endpoint healthy again.
      await server.call('knobs', { refresh: 'ok' });
      clock += step;
      await server.call('setClock', clock);
    }
  };
  let warmUps = 0;
  const warm = async () => {
    await client
      .query({ query: EchoDocument, variables: { n: -++warmUps }, fetchPolicy: 'no-cache' })
      .catch(() => {});
  };
  let n = 0;
  // Warm-up lifetimes (not counted): JIT, sockets, pools and caches settle before the baseline.
  for (let warmUp = 0; warmUp < WARMUP; warmUp++) await lifetime(false);
  await server.call('drain');
  const heapBefore = heap();
  const trend: number[] = [];
  const started = performance.now();
  for (let life = 0; life < LIFETIMES; life++) {
    await lifetime(true);
    await drain();
    if ((life + 1) % EVERY === 0) trend.push(heap());
    if (process.env.SOAK_TRACE) {
      const resources = tally(process.getActiveResourcesInfo());
      console.log(
        `lifetime ${life + 1}: ${Math.round(performance.now() - started)} ms, ${resources}`,
      );
    }
  }
  const ms = performance.now() - started;
  // Let the socket catch up with the last token change before reading the subscription.
  const ticksAtEnd = ticks;
  await new Promise((resolve) => setTimeout(resolve, 100));
  const heapAfter = heap();
  await drain();

  const duplicated = succeeded.filter((count) => count > 1).length;
  const ok = outcomes.get('ok') ?? 0;
  const failed = [...outcomes].flatMap(([outcome, count]) =>
    outcome === 'ok' || outcome === 'LOST' ? [] : Array<string>(count).fill(outcome),
  );
  // What the app may see under these faults; anything else (or a wrong answer) is a failure.
  const typed = ['REFRESH_FAILED', 'HTTP 502', 'TypeError', 'UNAUTHENTICATED'];
  const untyped = failed.filter((outcome) => !typed.includes(outcome));
  const faultCount = [...faults.values()].reduce((sum, count) => sum + count, 0);
  const refreshFaults = (faults.get('refresh 500') ?? 0) + (faults.get('refresh drop') ?? 0);
  const revocations = faults.get('revocation') ?? 0;
  const growth = (heapAfter - heapBefore) / heapBefore;
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

  const criteria: [string, boolean][] = [
    [`lost = 0 (${lost})`, lost === 0],
    [`duplicated = 0 (${duplicated})`, duplicated === 0],
    [`every operation settled (${settled}/${sent})`, settled === sent],
    [`failures typed (${untyped.length} untyped)`, untyped.length === 0],
    [`no token in any error (${leaks} leaks)`, leaks === 0],
    [
      `refreshes ${total.refreshes} within lifetimes ${LIFETIMES} .. ${LIFETIMES} + revocations ${revocations} + 2 × refresh faults ${refreshFaults}`,
      total.refreshes >= LIFETIMES - 1 &&
        total.refreshes <= LIFETIMES + revocations + 2 * refreshFaults,
    ],
    [
      `max concurrent refreshes ≤ 1 (${total.maxConcurrentRefreshes})`,
      total.maxConcurrentRefreshes <= 1,
    ],
    [
      `subscription: ticks > 0 (${ticks}), no error (${subErrors.length})`,
      ticks > 0 && subErrors.length === 0 && !subCompleted,
    ],
    [
      `heap growth ≤ ${MAX_HEAP_GROWTH * 100}% (${(growth * 100).toFixed(1)}%)`,
      growth <= MAX_HEAP_GROWTH,
    ],
  ];

  const lines = [
    `soak${quick ? ' --quick' : ''} seed=${seed}: ${OPS} operations over ${LIFETIMES} token lifetimes in ${(ms / 1000).toFixed(1)} s`,
    `  operations: sent ${sent}, succeeded ${ok}, failed (typed) ${failed.length}, lost ${lost}, duplicated ${duplicated}`,
    `  failures:   ${tally(failed) || 'none'}`,
    `  faults:     ${faultCount} (${tally([...faults].flatMap(([fault, count]) => Array<string>(count).fill(fault))) || 'none'})`,
    `  server:     ${total.requests} GraphQL requests, ${total.unauthorized} answered 401, ${total.refreshes} refresh calls (lifetimes ${LIFETIMES})`,
    `  ws:         ${ticks} ticks (${ticksAtEnd} at the last operation), ${subErrors.length} subscription errors`,
    `  heap:       before ${mb(heapBefore)} (after ${WARMUP} warm-up lifetimes), after ${mb(heapAfter)} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%); every ${EVERY} lifetimes: ${trend.map(mb).join(', ')}`,
    ...criteria.map(([text, pass]) => `  ${pass ? 'PASS' : 'FAIL'} ${text}`),
  ];
  console.log(lines.join('\n'));

  subscription.unsubscribe();
  manager.dispose();
  await ws.dispose();
  client.stop();
  wsClient.stop();
  await server.close();
  return criteria.every(([, pass]) => pass) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('soak crashed:', error instanceof Error ? error.message : error);
    // Sockets or timers of the half-built run must not keep the process alive.
    process.exit(2);
  },
);
