/**
 * The refresh scenarios, one table: the session each starts from, how it drives the client, the
 * exact counts a correct client shows in every repetition (ours fails the run without them), and
 * whether ours' wall time has a goal against the peers.
 */
import type { ServerProcessOptions } from '../fixtures/server/process.js';
import type { BenchClient } from './clients/types.js';
import { type Outcome, outcomeOf } from './outcome.js';

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
  /** CPU of the client's process (the server has its own): less moved by other work than wall. */
  cpuMs: number;
  /** How many operations failed with each code. */
  codes: Record<string, number>;
}

/** The app's clock, which S2 moves together with the server's. */
export interface Clock {
  now(): number;
  advance(ms: number): Promise<void>;
}

export interface Scenario {
  id: string;
  title: string;
  server: Pick<ServerProcessOptions, 'accessTtlMs' | 'rotateRefreshTokens'>;
  /** The session the app starts with: as the login gives it, expired, or revoked by the server. */
  session: 'valid' | 'expired' | 'revoked';
  /** `/refresh` answers 401 (the refresh token is refused). */
  refuseRefresh?: true;
  /** The app's clock and the server's move together, faster than real time. */
  movesClock?: true;
  /** Ours must show these; the peers that show them are "correct", ours' rivals on wall time. */
  expected: Counts;
  /** The code every failed operation of ours must have. */
  oursFailWith?: string;
  /** Ours' wall time has a goal against the correct peers (see `checks.ts`). */
  wallGoal?: true;
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
      await clock.advance(2_250);
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

/** `large`: N of S1 and S1x (500; `--quick`: 200, the same counts per query). */
export function scenarios(large: number): Scenario[] {
  return [
    {
      id: `S1 N=${large}`,
      title: `access token expired, ${large} concurrent queries`,
      server: {},
      session: 'expired',
      expected: succeeded(large, 1),
      wallGoal: true,
      drive: concurrent(large),
    },
    {
      id: 'S2',
      title: 'the token expires while 200 queries run 10 at a time',
      server: { accessTtlMs: 300_000 },
      session: 'valid',
      movesClock: true,
      // Refreshed before it expires: no query carries an expired token.
      expected: succeeded(200, 1),
      drive: rolling(200, 10),
    },
    {
      id: `S1x N=${large}`,
      title: `token unexpired but revoked by the server, ${large} concurrent queries`,
      server: {},
      session: 'revoked',
      // Each query is rejected once and retried with the one new token.
      expected: succeeded(large, 1, large),
      wallGoal: true,
      drive: concurrent(large),
    },
    {
      id: 'S1r N=50',
      title: 'single-use refresh tokens, access token expired, 50 concurrent queries',
      server: { rotateRefreshTokens: true },
      session: 'expired',
      expected: succeeded(50, 1),
      drive: concurrent(50),
    },
    {
      id: 'S4 N=50',
      title: 'the refresh endpoint answers 401, access token expired, 50 concurrent queries',
      server: {},
      session: 'expired',
      refuseRefresh: true,
      // No query is sent: the one refresh fails them all and ends the session.
      expected: { refreshes: 1, unauthorized: 0, httpRequests: 1, errors: 50, logouts: 1 },
      oursFailWith: 'SESSION_EXPIRED',
      wallGoal: true,
      drive: concurrent(50),
    },
  ];
}

/** `--only=S1` picks S1 but not S1x; `--only=S1x` picks S1x. */
export const scenarioKey = (id: string) => (id.split(' ')[0] ?? id).toLowerCase();
