/** Integration harness: the real test server, a real TokenManager and a real ApolloClient. */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { parse } from 'graphql';
import { createTokenRefreshLink } from '../../src/links/create.js';
import { TokenManager } from '../../src/token/manager.js';
import type { TokenManagerOptions } from '../../src/token/types.js';
import { startTestServer } from '../server/index.js';
import { httpRefresh } from '../server/refresh.js';
import type { TestServer, TestServerOptions } from '../server/types.js';

export const ECHO = parse('query Echo($n: Int!) { echo(n: $n) }');
export const PUBLIC_ECHO = parse('query PublicEcho($n: Int!) { echo(n: $n) }');
export const RENAME = parse('mutation Rename($name: String!) { rename(name: $name) { id name } }');

export interface Harness {
  server: TestServer;
  manager: TokenManager;
  client: ApolloClient;
  /** The clock shared by server and manager; move it, never sleep. */
  clock: { t: number };
  /** Runs `echo(n)` through the client; resolves with `n` or rejects as the app would see. */
  echo(n: number): Promise<number>;
  /** Calls of `refresh` seen by the manager's `logout` listener, etc. */
  events: { logout: number; refreshFailed: number };
  close(): Promise<void>;
}

export async function harness(
  options: {
    server?: TestServerOptions;
    manager?: Partial<TokenManagerOptions>;
    login?: boolean;
  } = {},
): Promise<Harness> {
  const clock = { t: Date.now() };
  const now = () => clock.t;
  const server = await startTestServer({ accessTtlMs: 60_000, ...options.server, now });
  const manager = new TokenManager({
    refresh: httpRefresh(server.refreshUrl),
    now,
    refreshBeforeExpiryMs: 5_000,
    refreshTimeoutMs: 5_000,
    retry: { attempts: 1, delayMs: () => 0 },
    ...options.manager,
  });
  const events = { logout: 0, refreshFailed: 0 };
  manager.on('logout', () => events.logout++);
  manager.on('refreshFailed', () => events.refreshFailed++);
  if (options.login !== false) await manager.setTokens(await server.login());
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([createTokenRefreshLink(manager), new HttpLink({ uri: server.url })]),
  });
  const echo = async (n: number) => {
    const { data } = await client.query<{ echo: number }>({
      query: ECHO,
      variables: { n },
      fetchPolicy: 'no-cache',
    });
    if (!data) throw new Error('no data');
    return data.echo;
  };
  return {
    server,
    manager,
    client,
    clock,
    echo,
    events,
    async close() {
      client.stop();
      manager.dispose();
      await server.close();
    },
  };
}

/** Runs every promise; counts what resolved and collects what rejected. */
export async function settleAll<T>(ps: Promise<T>[]) {
  const rs = await Promise.allSettled(ps);
  const errors = rs.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  return { ok: rs.length - errors.length, errors };
}

/** Runs `count` echo queries at once, from `from` on. */
export const burst = (h: Harness, count: number, from = 0) =>
  settleAll(Array.from({ length: count }, (_, i) => h.echo(from + i)));
