import {
  ApolloClient,
  type ApolloLink,
  CombinedGraphQLErrors,
  gql,
  HttpLink,
  InMemoryCache,
  ServerError,
} from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { httpRefresh } from '../../../fixtures/server/refresh.js';
import { createAppSession, refreshSession } from '../app-session.js';
import type { BenchClient, ClientEnv } from '../types.js';
import { compiled } from './compiled.js';

const Q = gql`
  query Q($n: Int!) {
    echo(n: $n)
  }
`;

/** A short, token-free name for how an Apollo Client 4 operation failed. */
export function classify(e: unknown): string {
  // This package's errors (and Node's system errors) carry a string `code`.
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  if (CombinedGraphQLErrors.is(e)) return String(e.errors[0]?.extensions?.code ?? 'GRAPHQL');
  if (ServerError.is(e)) return `HTTP_${e.statusCode}`;
  return e instanceof Error ? e.name : 'unknown';
}

/** Wraps an Apollo Client 4 link chain (ending before HTTP) as a bench client. */
export function apollo4Client(
  env: ClientEnv,
  link: ApolloLink | null,
  logouts: () => number,
  headers?: Record<string, string>,
  onDispose?: () => void,
): BenchClient {
  const http = new HttpLink({ uri: env.url, fetch: env.fetch, ...(headers && { headers }) });
  const client = new ApolloClient({
    link: link ? link.concat(http) : http,
    cache: new InMemoryCache(),
  });
  return {
    query: (n) =>
      client.query({ query: Q, variables: { n }, fetchPolicy: 'no-cache' }).then(
        () => ({ ok: true }),
        (e: unknown) => ({ ok: false, code: classify(e) }),
      ),
    get logouts() {
      return logouts();
    },
    dispose() {
      client.stop();
      onDispose?.();
    },
  };
}

/** Apollo Client 4 with a fixed `authorization` header and nothing else: the S3 baseline. */
export async function apollo4Bare(env: ClientEnv): Promise<BenchClient> {
  return apollo4Client(env, null, () => 0, { authorization: `Bearer ${env.tokens.accessToken}` });
}

const ours = () => compiled<typeof import('../../../src/index.js')>('src/index.ts');
const blog = () => compiled<typeof import('./blog-links.js')>('bench/lib/clients/blog-links.ts');

export async function naiveClient(env: ClientEnv): Promise<BenchClient> {
  const { createBlogLink } = await blog();
  const session = createAppSession(env.tokens, env.now);
  const link = createBlogLink(session, () => refreshSession(session, env.refreshUrl));
  return apollo4Client(env, link, () => session.logouts);
}

export async function oneFutureClient(env: ClientEnv): Promise<BenchClient> {
  const { createBlogLink, oneFuture } = await blog();
  const session = createAppSession(env.tokens, env.now);
  const link = createBlogLink(
    session,
    oneFuture(() => refreshSession(session, env.refreshUrl)),
  );
  return apollo4Client(env, link, () => session.logouts);
}

/** This package: `createTokenRefreshLink(manager)` before `HttpLink`, as its README shows. */
export async function oursClient(env: ClientEnv): Promise<BenchClient> {
  const { createTokenRefreshLink, TokenManager } = await ours();
  const manager = new TokenManager({ refresh: httpRefresh(env.refreshUrl), now: env.now });
  let logouts = 0;
  manager.on('logout', () => {
    logouts++;
  });
  await manager.setTokens(env.tokens);
  const link = createTokenRefreshLink(manager);
  return apollo4Client(
    env,
    link,
    () => logouts,
    undefined,
    () => manager.dispose(),
  );
}

/**
 * Reference, not a product (`--ref`): Apollo Client 4 with the least proactive refresh there is,
 * a `SetContextLink` that awaits one shared refresh when the token has expired. It shows what
 * Apollo Client 4 itself costs in a scenario, apart from any refresh library.
 */
export async function apollo4RefClient(env: ClientEnv): Promise<BenchClient> {
  const { oneFuture } = await blog();
  const session = createAppSession(env.tokens, env.now);
  const refresh = oneFuture(() => refreshSession(session, env.refreshUrl));
  const link = new SetContextLink(async (prev) => {
    if (session.expired()) await refresh();
    return { headers: { ...prev.headers, authorization: `Bearer ${session.accessToken}` } };
  });
  return apollo4Client(env, link, () => session.logouts);
}
