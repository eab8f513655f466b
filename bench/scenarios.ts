/**
 * The refresh scenarios, one table: the session each starts from, the queries it sends at once,
 * the exact counts a correct client shows in every repetition (ours fails the run without them),
 * and whether ours' wall time has a goal against the peers (`checks.ts`).
 */

/** `unauthorized`: GraphQL requests answered 401; `httpRequests`: GraphQL plus refresh calls. */
export interface Counts {
  refreshes: number;
  unauthorized: number;
  httpRequests: number;
  errors: number;
  logouts: number;
}

/** One repetition of one scenario with one client. */
export interface Run extends Counts {
  maxConcurrentRefreshes: number;
  wallMs: number;
  /** CPU of the client's process alone (the server has its own). */
  cpuMs: number;
  /** Failed operations per error code. */
  codes: Record<string, number>;
}

export interface Scenario {
  id: string;
  title: string;
  /** The session the app starts with: as the login gives it, expired, or revoked by the server. */
  session: 'valid' | 'expired' | 'revoked';
  /** `/refresh` answers 401: the refresh token is refused. */
  refuseRefresh?: true;
  /** Ours must show these; the peers that do are "correct", the ones ours' wall is compared with. */
  expected: Counts;
  /** The code every failed operation of ours must have. */
  oursFailWith?: string;
  wallGoal?: true;
  /** Sent all at once. */
  queries: number;
}

export const REFRESH_LATENCY_MS = 50;

/** Every query succeeds: each sent once, plus once more for each 401, plus the refresh calls. */
const succeeded = (n: number, refreshes: number, unauthorized = 0): Counts => ({
  refreshes,
  unauthorized,
  httpRequests: n + unauthorized + refreshes,
  errors: 0,
  logouts: 0,
});

/** `large`: N of S1 and S1x (500; `--quick`: 200, the same counts per query). */
export const scenarios = (large: number): Scenario[] => [
  {
    // No goal: every client's own cost of 500 queries, its core included, with nothing to refresh.
    id: `S0 N=${large}`,
    title: `valid token, ${large} concurrent queries`,
    session: 'valid',
    expected: succeeded(large, 0),
    queries: large,
  },
  {
    id: `S1 N=${large}`,
    title: `access token expired, ${large} concurrent queries`,
    session: 'expired',
    expected: succeeded(large, 1),
    wallGoal: true,
    queries: large,
  },
  {
    id: `S1x N=${large}`,
    title: `token unexpired but revoked by the server, ${large} concurrent queries`,
    session: 'revoked',
    // Each query is rejected once and retried with the one new token.
    expected: succeeded(large, 1, large),
    wallGoal: true,
    queries: large,
  },
  {
    id: 'S4 N=50',
    title: 'the refresh endpoint answers 401, access token expired, 50 concurrent queries',
    session: 'expired',
    refuseRefresh: true,
    // No query is sent: the one refresh fails them all and ends the session.
    expected: { refreshes: 1, unauthorized: 0, httpRequests: 1, errors: 50, logouts: 1 },
    oursFailWith: 'SESSION_EXPIRED',
    wallGoal: true,
    queries: 50,
  },
];
