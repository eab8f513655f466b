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
import { Worker } from 'node:worker_threads';
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { WebSocket } from 'ws';
import { memoryStorage } from '../../src/index.js';
import { createAuthWsClient } from '../../src/ws.js';
import { classify, clientFor, ECHO, managerFor, TICKS, tally } from './harness.js';
import type { ServerApi } from './server-worker.js';

const quick = process.argv.includes('--quick');
const seedArg = process.argv.find((a) => a.startsWith('--seed='));
const seed = seedArg ? Number(seedArg.slice(7)) : 20261122;
const lifetimesArg = process.argv.find((a) => a.startsWith('--lifetimes='));
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
let s = seed >>> 0;
const random = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();
const heap = () => {
  for (let i = 0; i < 3; i++) gc();
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

/**
 * Starts the test server in a worker thread: its own memory (mock store, sessions) stays out of
 * this thread's heap, so the heap figures measure the client side (library + Apollo) alone.
 */
async function startServer(clock: number) {
  // Loader hooks from `--import tsx` do not reach workers: register tsx in the worker first.
  const file = new URL('./server-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(file)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { clock, accessTtlMs: TTL } });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let id = 0;
  const ready = new Promise<{ url: string; wsUrl: string; refreshUrl: string }>(
    (resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: { ready?: never; id: number; result?: unknown; error?: string }) => {
        if (m.ready) return resolve(m.ready);
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.error !== undefined) w?.reject(new Error(m.error));
        else w?.resolve(m.result);
      });
    },
  );
  const urls = await ready;
  return {
    ...urls,
    worker,
    call<M extends keyof ServerApi>(
      method: M,
      ...args: Parameters<ServerApi[M]>
    ): Promise<Awaited<ReturnType<ServerApi[M]>>> {
      return new Promise((resolve, reject) => {
        waiting.set(++id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, method, args });
      });
    },
  };
}

const safeJson = (v: unknown) => {
  try {
    return JSON.stringify(v);
  } catch {
    return '';
  }
};

async function main() {
  let clock = Date.UTC(2026, 0, 1);
  const now = () => clock;
  const server = await startServer(clock);
  // Every error is scanned for the newest tokens at once, never kept: retained errors (stacks,
  // responses) would show up as heap growth.
  const recent: string[] = [];
  let leaks = 0;
  const scan = (e: unknown) => {
    let text = '';
    for (let c: unknown = e, i = 0; c && i < 5; c = (c as { cause?: unknown }).cause, i++) {
      const { message, stack } = c as { message?: unknown; stack?: unknown };
      text += `${String(message)} ${String(stack)} ${safeJson(c)}`;
    }
    if (recent.some((t) => text.includes(t))) leaks++;
  };
  const sink = {
    secret: (...values: (string | null | undefined)[]) => {
      for (const v of values) if (v) recent.push(v);
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
    retryWait: () => new Promise((r) => setTimeout(r, 20)),
  });
  const wsClient = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });

  let ticks = 0;
  const subErrors: string[] = [];
  let subCompleted = false;
  const subscription = wsClient
    .subscribe({ query: TICKS, variables: { intervalMs: 5 } })
    .subscribe({
      next: (r) => {
        if (!r.error) return void ticks++;
        scan(r.error);
        subErrors.push(classify(r.error));
      },
      error: (e: unknown) => {
        scan(e);
        subErrors.push(classify(e));
      },
      complete: () => {
        subCompleted = true;
      },
    });

  // Totals across counter resets (the server's per-request logs would otherwise grow the heap).
  const total = { requests: 0, refreshes: 0, unauthorized: 0, maxConcurrentRefreshes: 0 };
  const drain = async () => {
    const c = await server.call('drain');
    total.requests += c.requests;
    total.refreshes += c.refreshes;
    total.unauthorized += c.unauthorized;
    total.maxConcurrentRefreshes = Math.max(total.maxConcurrentRefreshes, c.maxConcurrentRefreshes);
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
    const timeout = new Promise<string>((r) => {
      timer = setTimeout(() => r('LOST'), OP_TIMEOUT_MS);
    });
    const result = client.query({ query: ECHO, variables: { n }, fetchPolicy: 'no-cache' }).then(
      (r) => {
        if (r.error) {
          scan(r.error);
          return classify(r.error);
        }
        if ((r.data as { echo?: unknown } | undefined)?.echo !== n) return 'WRONG_DATA';
        succeeded[n] = (succeeded[n] ?? 0) + 1;
        return 'ok';
      },
      (e: unknown) => {
        scan(e);
        return classify(e);
      },
    );
    const o = await Promise.race([result, timeout]);
    clearTimeout(timer);
    if (o === 'LOST') lost++;
    else settled++;
    outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
  };

  const inject = async () => {
    const f = FAULTS[Math.floor(random() * FAULTS.length)] as Fault;
    faults.set(f, (faults.get(f) ?? 0) + 1);
    if (f === 'refresh 500') await server.call('knobs', { refresh: '500' });
    if (f === 'refresh drop') await server.call('knobs', { refresh: 'drop' });
    if (f === 'graphql 502') await server.call('bump', 'graphql502');
    if (f === 'graphql drop') await server.call('bump', 'graphqlDrop');
    if (f === 'revocation') {
      const t = await manager.getAccessToken().catch(() => null);
      if (t) await server.call('revoke', t);
    }
  };

  const perLifetime = OPS / LIFETIMES;
  const batchesPerLifetime = perLifetime / BATCH;
  const step = TTL / batchesPerLifetime;
  /** One token lifetime of operations; `faulty` injects faults and counts into the figures. */
  const lifetime = async (faulty: boolean) => {
    for (let b = 0; b < batchesPerLifetime; b++) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < BATCH; i++) {
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
  let w = 0;
  const warm = async () => {
    await client
      .query({ query: ECHO, variables: { n: -++w }, fetchPolicy: 'no-cache' })
      .catch(() => {});
  };
  let n = 0;
  // Warm-up lifetimes (not counted): JIT, sockets, pools and caches settle before the baseline.
  for (let i = 0; i < WARMUP; i++) await lifetime(false);
  await server.call('drain');
  const heapBefore = heap();
  const trend: number[] = [];
  const started = performance.now();
  for (let life = 0; life < LIFETIMES; life++) {
    await lifetime(true);
    await drain();
    if ((life + 1) % EVERY === 0) trend.push(heap());
    if (process.env.SOAK_TRACE) {
      const res = tally(process.getActiveResourcesInfo());
      console.log(`lifetime ${life + 1}: ${Math.round(performance.now() - started)} ms, ${res}`);
    }
  }
  const ms = performance.now() - started;
  // Let the socket catch up with the last token change before reading the subscription.
  const ticksAtEnd = ticks;
  await new Promise((r) => setTimeout(r, 100));
  const heapAfter = heap();
  await drain();

  const duplicated = succeeded.filter((v) => v > 1).length;
  const ok = outcomes.get('ok') ?? 0;
  const failed = [...outcomes].flatMap(([k, v]) =>
    k === 'ok' || k === 'LOST' ? [] : Array<string>(v).fill(k),
  );
  // What the app may see under these faults; anything else (or a wrong answer) is a failure.
  const typed = ['REFRESH_FAILED', 'HTTP 502', 'TypeError', 'UNAUTHENTICATED'];
  const untyped = failed.filter((o) => !typed.includes(o));
  const faultCount = [...faults.values()].reduce((a, b) => a + b, 0);
  const refreshFaults = (faults.get('refresh 500') ?? 0) + (faults.get('refresh drop') ?? 0);
  const revocations = faults.get('revocation') ?? 0;
  const growth = (heapAfter - heapBefore) / heapBefore;
  const mb = (b: number) => `${(b / 1_048_576).toFixed(1)} MB`;

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
    `  faults:     ${faultCount} (${tally([...faults].flatMap(([k, v]) => Array<string>(v).fill(k))) || 'none'})`,
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
  await server.call('close');
  await server.worker.terminate();
  return criteria.every(([, pass]) => pass) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error('soak crashed:', e instanceof Error ? e.message : e);
    // Sockets or timers of the half-built run must not keep the process alive.
    process.exit(2);
  },
);
