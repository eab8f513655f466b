import { Client, type CombinedError, type Exchange, fetchExchange, gql } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { createAppSession, refreshSession } from '../app-session.js';
import type { BenchClient, ClientEnv } from '../types.js';

const Q = gql`
  query Q($n: Int!) {
    echo(n: $n)
  }
`;

const unauthenticated = (error: CombinedError) =>
  error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ||
  error.response?.status === 401;

function classify(error: CombinedError): string {
  const code = error.graphQLErrors[0]?.extensions?.code;
  if (code !== undefined) return String(code);
  const status = (error.response as Response | undefined)?.status;
  if (status !== undefined && status >= 400) return `HTTP_${status}`;
  return error.networkError?.name ?? 'CombinedError';
}

function urqlClient(
  env: ClientEnv,
  exchanges: Exchange[],
  logouts: () => number,
  headers?: Record<string, string>,
): BenchClient {
  // POST like the other clients (the test server answers GraphQL on POST only); no cache exchange.
  const client = new Client({
    url: env.url,
    exchanges: [...exchanges, fetchExchange],
    fetch: env.fetch,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    ...(headers && { fetchOptions: { headers } }),
  });
  return {
    query: (n) =>
      client
        .query(Q, { n })
        .toPromise()
        .then(
          (r) => (r.error ? { ok: false, code: classify(r.error) } : { ok: true }),
          (e: unknown) => ({ ok: false, code: e instanceof Error ? e.name : 'unknown' }),
        ),
    get logouts() {
      return logouts();
    },
    dispose() {},
  };
}

/** urql with a fixed `authorization` header: the baseline of the urql client in S3. */
export async function urqlBare(env: ClientEnv): Promise<BenchClient> {
  return urqlClient(env, [], () => 0, { authorization: `Bearer ${env.tokens.accessToken}` });
}

/** `@urql/exchange-auth` set up as its README shows. */
export async function urqlAuthClient(env: ClientEnv): Promise<BenchClient> {
  const session = createAppSession(env.tokens, env.now);
  const auth = authExchange(async (utils) => ({
    addAuthToOperation: (operation) =>
      session.accessToken
        ? utils.appendHeaders(operation, { authorization: `Bearer ${session.accessToken}` })
        : operation,
    willAuthError: () => session.expired(),
    didAuthError: unauthenticated,
    async refreshAuth() {
      // The README's shape: on failure clear the tokens and log out instead of throwing.
      await refreshSession(session, env.refreshUrl).catch(() => {});
    },
  }));
  return urqlClient(env, [auth], () => session.logouts);
}
