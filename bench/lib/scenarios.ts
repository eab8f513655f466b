import type { TestServerOptions } from '../../fixtures/server/types.js';
import { type Clock, clockOf } from './clock.js';
import { type BenchServer, startServerThread } from './server-thread.js';
import type { AppTokens, BenchClient, ClientFactory, Outcome } from './types.js';

/** One repetition of one scenario with one client. */
export interface Run {
  refreshes: number;
  maxConcurrentRefreshes: number;
  unauthorized: number;
  /** GraphQL requests plus refresh calls. */
  httpRequests: number;
  errors: number;
  logouts: number;
  wallMs: number;
  /**
   * CPU time of this process (the clients, and the test server on its own thread) during the
   * run: less sensitive than wall time to other work on the machine.
   */
  cpuMs: number;
  /** How many operations failed with each error code. */
  codes: Record<string, number>;
}

export interface Scenario {
  id: string;
  title: string;
  n: number;
  server?: Omit<TestServerOptions, 'now'>;
  /** Sets the server and the app's tokens up before the client exists. */
  prepare(server: BenchServer, tokens: AppTokens): Promise<AppTokens>;
  drive(client: BenchClient, clock: Clock): Promise<Outcome[]>;
}

/** An operation that has not settled after this long counts as an error: no run can hang. */
const OP_TIMEOUT_MS = 20_000;
const REFRESH_LATENCY_MS = 50;

function bounded(p: Promise<Outcome>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, code: 'TIMEOUT' }), OP_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const concurrent = (n: number) => (client: BenchClient) =>
  Promise.all(Array.from({ length: n }, (_, i) => bounded(client.query(i))));

const expired = async (server: BenchServer, tokens: AppTokens) => ({
  ...tokens,
  accessToken: await server.signAccessToken({ ttlMs: -1000 }),
});

/** S2: the clock moves `step` per launched query, so the login token expires mid-run. */
const S2_TTL_MS = 300_000;
const S2_STEP_MS = 2_250;

function rolling(n: number, width: number) {
  return async (client: BenchClient, clock: Clock) => {
    const out: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        clock.advance(S2_STEP_MS);
        out[i] = await bounded(client.query(i));
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
    return out;
  };
}

export function scenarios(quick: boolean): Scenario[] {
  const big = quick ? 200 : 500;
  return [
    ...[50, big].map(
      (n): Scenario => ({
        id: `S1 N=${n}`,
        title: `access token expired, ${n} concurrent queries`,
        n,
        prepare: expired,
        drive: concurrent(n),
      }),
    ),
    {
      id: 'S2',
      title: 'token expires while 200 queries run 10 at a time',
      n: 200,
      server: { accessTtlMs: S2_TTL_MS },
      prepare: async (_, t) => t,
      drive: rolling(200, 10),
    },
    {
      id: `S1x N=${big}`,
      title: `token unexpired but revoked by the server, ${big} concurrent queries`,
      n: big,
      async prepare(server, tokens) {
        await server.revokeAccessToken(tokens.accessToken);
        return tokens;
      },
      drive: concurrent(big),
    },
    {
      id: 'S1r N=50',
      title: 'single-use refresh tokens, expired access token, 50 concurrent queries',
      n: 50,
      server: { rotateRefreshTokens: true },
      prepare: expired,
      drive: concurrent(50),
    },
    {
      id: 'S4 N=50',
      title: 'refresh endpoint answers 401, expired access token, 50 concurrent queries',
      n: 50,
      async prepare(server, tokens) {
        await server.setKnobs({ refresh: '401' });
        return expired(server, tokens);
      },
      drive: concurrent(50),
    },
  ];
}

/** Fresh server, fresh client, one run; both are closed whatever happens. */
export async function runOnce(sc: Scenario, create: ClientFactory): Promise<Run> {
  const clock = clockOf();
  const server = await startServerThread(
    { refreshLatencyMs: REFRESH_LATENCY_MS, ...sc.server },
    clock,
  );
  try {
    const tokens = await sc.prepare(server, await server.login());
    const client = await create({
      url: server.url,
      refreshUrl: server.refreshUrl,
      tokens,
      now: clock.now,
      fetch: globalThis.fetch,
    });
    try {
      await server.resetCounters();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const outcomes = await sc.drive(client, clock);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const c = await server.counters();
      const codes: Record<string, number> = {};
      for (const o of outcomes) if (!o.ok) codes[o.code ?? '?'] = (codes[o.code ?? '?'] ?? 0) + 1;
      return {
        refreshes: c.refreshes,
        maxConcurrentRefreshes: c.maxConcurrentRefreshes,
        unauthorized: c.unauthorized,
        httpRequests: c.requests + c.refreshes,
        errors: outcomes.filter((o) => !o.ok).length,
        logouts: client.logouts,
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        codes,
      };
    } finally {
      await client.dispose();
    }
  } finally {
    await server.close();
  }
}
