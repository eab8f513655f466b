/** Real-server plumbing shared by the fault, security and soak suites. */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import type { TestServer } from '../../fixtures/server/types.js';
import {
  createTokenRefreshLink,
  TokenManager,
  type TokenManagerOptions,
  type TokenSet,
} from '../../src/index.js';
import type { LeakCheck } from '../support/leaks.js';
import { describeError } from '../support/outcomes.js';

/** Where the harness reports secrets and errors it sees (a full LeakCheck in the suites). */
export type Sink = Pick<LeakCheck, 'secret' | 'error'>;

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
    refresh: async (context) => {
      const tokens = (await refresh(context)) as Partial<TokenSet> | null;
      leaks.secret(tokens?.accessToken, tokens?.refreshToken);
      return tokens as TokenSet;
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

/** Runs `echo(value)`; resolves with `ok` or the error in `describeError`'s words (never rejects). */
export async function run(client: ApolloClient, value: number, leaks: Sink): Promise<string> {
  try {
    const result = await client.query({
      query: EchoDocument,
      variables: { n: value },
      fetchPolicy: 'no-cache',
    });
    if (result.error) {
      leaks.error(result.error);
      return describeError(result.error);
    }
    return 'ok';
  } catch (error) {
    leaks.error(error);
    return describeError(error);
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
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proxy = createServer((inbound) => {
        const outbound = connect(Number(port), hostname);
        track(inbound);
        track(outbound);
        inbound.pipe(outbound).pipe(inbound);
        inbound.once('close', () => outbound.destroy());
        outbound.once('close', () => inbound.destroy());
      });
      proxy.once('error', reject);
      proxy.listen(listenPort, '127.0.0.1', () => {
        listenPort = (proxy.address() as AddressInfo).port;
        server = proxy;
        resolve();
      });
    });
  const kill = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.resetAndDestroy();
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
