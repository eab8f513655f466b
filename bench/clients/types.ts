/**
 * What the bench sees of a client under test. Also imported by `bench/legacy/client.ts`, whose
 * packages differ from the root's: this file imports nothing.
 */

/** One configured GraphQL client, as a scenario drives it. */
export interface BenchClient {
  /** Runs the `Echo` query with no cache; rejects with the GraphQL client's own error. */
  query(n: number): Promise<unknown>;
  /** How many times the app's session ended (its logout ran). */
  logouts(): number;
  dispose(): void;
}

export interface AppTokens {
  accessToken: string;
  refreshToken: string;
}

export interface ClientEnv {
  url: string;
  refreshUrl: string;
  /** The session the app starts with, as the login endpoint answers it. */
  tokens: AppTokens;
  /** The app's clock: real time, but in memory, which moves it with the server's. */
  now: () => number;
  /** Every HTTP call of the client (answered in the process in S3 and memory). */
  fetch: typeof fetch;
}

export type ClientFactory = (env: ClientEnv) => Promise<BenchClient>;
