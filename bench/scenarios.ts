/**
 * The refresh scenarios, one table: the session each starts from, how it drives the client, the
 * exact counts a correct client shows in every repetition (ours is gated on them in every run),
 * and the wall-time goal of issue 16 that a full run enforces. `runOnce` runs one repetition.
 */
import type { BenchClient, ClientFactory } from './clients/types.js';
import { type Outcome, outcomeOf } from './outcome.js';
import { type Clock, clockOf, type ServerSetup, startServer } from './server.js';

/** The counts of one repetition that are exact for a correct client. */
export interface Counts {
  refreshes: number;
  /** GraphQL requests answered as unauthenticated. */
  unauthorized: number;
  /** GraphQL requests plus refresh calls. */
  httpRequests: number;
  /** Operations that failed. */
  errors: number;
  logouts: number;
}

/** One repetition of one scenario with one client. */
export interface Run extends Counts {
  maxConcurrentRefreshes: number;
  wallMs: number;
  /** CPU of the whole process (clients and server thread): less moved by other work than wall. */
  cpuMs: number;
  /** How many operations failed with each code. */
  codes: Record<string, number>;
}

export interface Scenario {
  id: string;
  title: string;
  setup: ServerSetup;
  /** Ours must show these; the other clients that show them are "correct", ours' rivals on wall. */
  expected: Counts;
  /** The code every failed operation of ours must have. */
  oursFailWith?: string;
  /** Full run: ours' median wall ≤ `wallGoal` × the best other correct client's. */
  wallGoal?: number;
  /**
   * A full run's repetitions when more than `--reps`: S1's goal compares medians, and at N=50 a
   * run is ~100 ms of which ±10 ms is noise on a shared 2-core machine.
   */
  fullRunRepetitions?: number;
  /** Run by the bare Apollo Client 4 alone: the physical limit's baseline, not a contest. */
  bareOnly?: true;
  /** A bare-only scenario whose runs take turns with this one's, so both meet the same load. */
  baseline?: Scenario;
  drive(client: BenchClient, clock: Clock): Promise<Outcome[]>;
}

export const REFRESH_LATENCY_MS = 50;

const concurrent = (n: number) => (client: BenchClient) =>
  Promise.all(Array.from({ length: n }, (_, index) => outcomeOf(client.query(index))));

/** S2: `n` queries `width` at a time, the clock moving 2.25 s per query past a 5-minute token. */
const rolling = (n: number, width: number) => async (client: BenchClient, clock: Clock) => {
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const index = next++;
      clock.advance(2_250);
      outcomes[index] = await outcomeOf(client.query(index));
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return outcomes;
};

/** Every query succeeds: each sent once, plus once more for each 401, plus the refresh calls. */
const succeeded = (n: number, refreshes: number, unauthorized = 0): Counts => ({
  refreshes,
  unauthorized,
  httpRequests: n + unauthorized + refreshes,
  errors: 0,
  logouts: 0,
});

/** `large`: N of the large scenarios, 500 in issue 16's goals (`--quick`: 200, same counts). */
export function scenarios(large = 500): Scenario[] {
  const expiredToken = (n: number, fullRunRepetitions: number): Scenario => ({
    id: `S1 N=${n}`,
    title: `access token expired, ${n} concurrent queries`,
    setup: { session: 'expired' },
    fullRunRepetitions,
    expected: succeeded(n, 1),
    drive: concurrent(n),
  });
  return [
    expiredToken(50, 15),
    {
      ...expiredToken(large, 7),
      wallGoal: 1.05,
      baseline: {
        id: `S0 N=${large}`,
        title: `valid token, ${large} concurrent queries, bare Apollo Client 4 (the physical limit's baseline, measured with S1 N=${large})`,
        setup: {},
        expected: succeeded(large, 0),
        bareOnly: true,
        drive: concurrent(large),
      },
    },
    {
      id: 'S2',
      title: 'the token expires while 200 queries run 10 at a time',
      setup: { accessTtlMs: 300_000 },
      // Refreshed before it expires: no query carries an expired token.
      expected: succeeded(200, 1),
      drive: rolling(200, 10),
    },
    {
      id: `S1x N=${large}`,
      title: `token unexpired but revoked by the server, ${large} concurrent queries`,
      setup: { session: 'revoked' },
      // Each query is rejected once and retried with the one new token.
      expected: succeeded(large, 1, large),
      wallGoal: 1,
      drive: concurrent(large),
    },
    {
      id: 'S1r N=50',
      title: 'single-use refresh tokens, access token expired, 50 concurrent queries',
      setup: { session: 'expired', rotateRefreshTokens: true },
      expected: succeeded(50, 1),
      drive: concurrent(50),
    },
    {
      id: 'S4 N=50',
      title: 'the refresh endpoint answers 401, access token expired, 50 concurrent queries',
      setup: { session: 'expired', refuseRefresh: true },
      // No query is sent: the one refresh fails them all and ends the session.
      expected: { refreshes: 1, unauthorized: 0, httpRequests: 1, errors: 50, logouts: 1 },
      oursFailWith: 'SESSION_EXPIRED',
      wallGoal: 1,
      drive: concurrent(50),
    },
  ];
}

/** Fresh server, fresh client, one repetition; both are closed whatever happens. */
export async function runOnce(scenario: Scenario, create: ClientFactory): Promise<Run> {
  const clock = clockOf();
  const server = await startServer(
    { refreshLatencyMs: REFRESH_LATENCY_MS, ...scenario.setup },
    clock,
  );
  try {
    const { url, refreshUrl, tokens } = server;
    const client = await create({ url, refreshUrl, tokens, now: clock.now, fetch });
    try {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const outcomes = await scenario.drive(client, clock);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const counters = await server.counters();
      const codes: Record<string, number> = {};
      for (const { ok, code = '?' } of outcomes) if (!ok) codes[code] = (codes[code] ?? 0) + 1;
      return {
        refreshes: counters.refreshes,
        maxConcurrentRefreshes: counters.maxConcurrentRefreshes,
        unauthorized: counters.unauthorized,
        httpRequests: counters.requests + counters.refreshes,
        errors: outcomes.filter((outcome) => !outcome.ok).length,
        logouts: client.logouts(),
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        codes,
      };
    } finally {
      client.dispose();
    }
  } finally {
    await server.close();
  }
}
