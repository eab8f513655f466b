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
  tokens: AppTokens;
  /** The clock shared with the test server. */
  now: () => number;
  /** Every HTTP call of the client, GraphQL and refresh (answered in the process in S3 and memory). */
  fetch: typeof fetch;
}

export type ClientFactory = (env: ClientEnv) => Promise<BenchClient>;

/** A client of the tables: what it is, how to make one, and what it is measured against. */
export interface ClientSpec {
  name: string;
  /** The GraphQL client it sits on. */
  base: 'Apollo Client 4' | 'Apollo Client 3' | 'urql 6';
  /** How it is wired, as its docs show. */
  wiring: string;
  create: ClientFactory;
  /** Its base with a fixed `authorization` header and nothing else: S3 measures it against this. */
  bare: ClientFactory;
  /** Its row of the Bundle table (ours comes from `scripts/size.mjs`). */
  bundle?: {
    /** Module code importing what its docs import, resolved from `resolveDir` (the repository). */
    source: string;
    resolveDir?: string;
    /** The GraphQL client and its peers: never counted. */
    peers: string[];
    /** Its dependencies: counted in "with dependencies" only. */
    dependencies: string[];
    counted: string;
  };
}
