/**
 * What the bench sees of a client under test. Also imported by `bench/legacy/client.ts`, whose
 * packages differ from the root's: this file imports nothing.
 */

/** One configured GraphQL client, as a scenario drives it. */
export interface BenchClient {
  /**
   * Runs the `Echo` query of `fixtures/operations.graphql` with no cache: resolves when it
   * succeeded, rejects with the GraphQL client's own error when it failed.
   */
  query(n: number): Promise<unknown>;
  /** How many times the app's session ended (its logout ran). */
  logouts(): number;
  dispose(): void;
}

/** A session as the login endpoint answers it. */
export interface AppTokens {
  accessToken: string;
  refreshToken: string;
}

export interface ClientEnv {
  url: string;
  refreshUrl: string;
  /** The session the app starts with. */
  tokens: AppTokens;
  /** The clock the app reads: real time, except where a scenario moves it with the server's. */
  now: () => number;
  /** Every HTTP call of the client, GraphQL and refresh (answered in the process in S3 and memory). */
  fetch: typeof fetch;
}

export type ClientFactory = (env: ClientEnv) => Promise<BenchClient>;

/** How a client module makes its client, and its GraphQL client bare (the header alone, for S3). */
export interface ClientModule {
  create: ClientFactory;
  bare: ClientFactory;
}
