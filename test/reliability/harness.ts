/** Real-server plumbing shared by the fault, security and soak suites. */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  gql,
  HttpLink,
  InMemoryCache,
  ServerError,
} from '@apollo/client';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import type { TestServer } from '../../fixtures/server/types.js';
import {
  createTokenRefreshLink,
  TokenManager,
  type TokenManagerOptions,
  TokenRefreshError,
  type TokenSet,
} from '../../src/index.js';
import type { LeakCheck } from './leaks.js';

/** Where the harness reports secrets and errors it sees (a full LeakCheck in the suites). */
export type Sink = Pick<LeakCheck, 'secret' | 'error'>;

export const ECHO = gql`
  query Echo($n: Int!) {
    echo(n: $n)
  }
`;
export const ME = gql`
  query Me($n: Int!) {
    me {
      id
    }
    echo(n: $n)
  }
`;
export const TICKS = gql`
  subscription Ticks($intervalMs: Int, $limit: Int) {
    ticks(intervalMs: $intervalMs, limit: $limit)
  }
`;

/** What the app saw, as one short word: `ok`, an error `code`, `HTTP 502`, or the error's name. */
export function classify(e: unknown): string {
  if (TokenRefreshError.is(e)) return e.code;
  if (CombinedGraphQLErrors.is(e)) return String(e.errors[0]?.extensions?.code ?? 'GRAPHQL');
  if (ServerError.is(e)) return `HTTP ${e.statusCode}`;
  return e instanceof Error ? e.name : typeof e;
}

/**
 * A manager over the server's `/refresh`, recording every token set it receives as a secret.
 * Retries are fast (10 ms) so fault rows finish quickly.
 */
export function managerFor(
  server: Pick<TestServer, 'refreshUrl'>,
  leaks: Sink,
  options: Partial<TokenManagerOptions> = {},
): TokenManager {
  const refresh = httpRefresh(server.refreshUrl);
  return new TokenManager({
    retry: { attempts: 2, delayMs: () => 10 },
    refreshTimeoutMs: 2_000,
    ...options,
    refresh: async (ctx) => {
      const t = (await refresh(ctx)) as Partial<TokenSet> | null;
      leaks.secret(t?.accessToken, t?.refreshToken);
      return t as TokenSet;
    },
  });
}

/** A real ApolloClient: the refresh chain over HttpLink; `fetch` may be wrapped to spy on requests. */
export function clientFor(
  server: Pick<TestServer, 'url'>,
  manager: TokenManager,
  fetchImpl: typeof fetch = fetch,
): ApolloClient {
  return new ApolloClient({
    link: ApolloLink.from([
      createTokenRefreshLink(manager),
      new HttpLink({ uri: server.url, fetch: fetchImpl }),
    ]),
    cache: new InMemoryCache(),
  });
}

/** Runs one query; resolves with `ok` or the classified error (never rejects). */
export async function run(
  client: ApolloClient,
  n: number,
  leaks: Sink,
  query = ECHO,
): Promise<string> {
  try {
    const r = await client.query({ query, variables: { n }, fetchPolicy: 'no-cache' });
    if (r.error) {
      leaks.error(r.error);
      return classify(r.error);
    }
    return 'ok';
  } catch (e) {
    leaks.error(e);
    return classify(e);
  }
}

/** `ok×3, HTTP 502×1`: an order-free summary of outcomes. */
export function tally(outcomes: string[]): string {
  const m = new Map<string, number>();
  for (const o of outcomes) m.set(o, (m.get(o) ?? 0) + 1);
  return [...m]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');
}

/** Resolves when `check()` holds, polling real events; rejects after `ms`. */
export async function until(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A TCP proxy in front of the test server: `kill()` resets every connection and stops
 * listening (a crashed server), `start()` listens again on the same port (its restart).
 */
export async function createProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((inbound) => {
        const outbound = connect(Number(port), hostname);
        track(inbound);
        track(outbound);
        inbound.pipe(outbound).pipe(inbound);
        inbound.once('close', () => outbound.destroy());
        outbound.once('close', () => inbound.destroy());
      });
      s.once('error', reject);
      s.listen(listenPort, '127.0.0.1', () => {
        listenPort = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const kill = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.resetAndDestroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await start();
  return {
    url: (path: string) => `ws://127.0.0.1:${listenPort}${path}`,
    start,
    kill,
  };
}
