/**
 * What the harness sees of a client under test. Also used by the Apollo Client 3 client in
 * `bench/legacy`, whose packages differ from the root's: this file imports nothing.
 */

/** How one operation ended; `code` says how it failed, worded by `failure` for every client. */
export interface Outcome {
  ok: boolean;
  code?: string;
}

/** What a client library tells of a failed operation, read from its own error shape. */
export interface FailureFacts {
  /** A string `code` on the error: this package's errors, the app's refresh error, Node's. */
  code?: unknown;
  /** `extensions.code` of the first GraphQL error. */
  graphQLCode?: unknown;
  /** The HTTP status of the GraphQL response. */
  status?: number | undefined;
  name?: string | undefined;
}

/** One wording for every client: `SESSION_EXPIRED`, `UNAUTHENTICATED`, `HTTP_502`, `TypeError`. */
export function failure({ code, graphQLCode, status, name }: FailureFacts): Outcome {
  if (typeof code === 'string') return { ok: false, code };
  if (graphQLCode !== undefined) return { ok: false, code: String(graphQLCode) };
  if (status !== undefined) return { ok: false, code: `HTTP_${status}` };
  return { ok: false, code: name ?? 'unknown' };
}

/** One configured GraphQL client, as a scenario drives it. */
export interface BenchClient {
  /** Runs the `Echo` query of `fixtures/operations.graphql` with no cache; never rejects. */
  query(n: number): Promise<Outcome>;
  /** How many times the app's session ended (its logout ran). */
  readonly logouts: number;
  dispose(): void | Promise<void>;
}

/** A bench client around the `Echo` query of a GraphQL client, which rejects when it fails. */
export function benchClient(client: {
  query(n: number): Promise<unknown>;
  outcomeOf(error: unknown): Outcome;
  logouts?: () => number;
  dispose(): void;
}): BenchClient {
  return {
    query: (n) => client.query(n).then(() => ({ ok: true }), client.outcomeOf),
    get logouts() {
      return client.logouts?.() ?? 0;
    },
    dispose: () => client.dispose(),
  };
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
  /** Every HTTP call of the client, GraphQL and refresh (a mock in S3, a gated one for memory). */
  fetch: typeof fetch;
}

export type ClientFactory = (env: ClientEnv) => Promise<BenchClient>;
