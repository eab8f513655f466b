/**
 * Shapes shared by the harness and every client under test, including the Apollo Client 3
 * client in `bench/legacy`, so this file imports nothing.
 */

/** How one operation ended: `code` names the error class or GraphQL/HTTP code when it failed. */
export interface Outcome {
  ok: boolean;
  code?: string;
}

/** One configured GraphQL client, as a scenario drives it. */
export interface BenchClient {
  /** Runs `query Q($n: Int!) { echo(n: $n) }` with no cache; never rejects. */
  query(n: number): Promise<Outcome>;
  /** How many times the app's logout ran. */
  readonly logouts: number;
  dispose(): void | Promise<void>;
}

/** A session as the app received it from the login endpoint. */
export interface AppTokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * The app-side token store that the hand-written clients (naive, one-future, urql, legacy) read
 * and write, the way their docs keep tokens in a module variable or `localStorage`.
 */
export interface AppSession {
  accessToken: string | null;
  refreshToken: string | null;
  /** True when the access token's `exp` has passed on the shared clock. */
  expired(): boolean;
  set(tokens: AppTokens): void;
  /** Clears the tokens and counts a logout. */
  logout(): void;
  readonly logouts: number;
}

export interface ClientEnv {
  url: string;
  refreshUrl: string;
  tokens: AppTokens;
  /** The clock shared with the test server. */
  now: () => number;
  /** Used for GraphQL requests (a mock in the overhead scenario); refreshes use the global fetch. */
  fetch: typeof fetch;
}

export type ClientFactory = (env: ClientEnv) => Promise<BenchClient>;
