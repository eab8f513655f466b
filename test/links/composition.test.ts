/**
 * Each link read and used on its own, and in any composition: what one link needs from another
 * goes through Apollo's public context (src/links/context.ts), so leaving a link out either
 * works or fails loudly, never silently resending a rejected token. Dropped links hold nothing
 * on the manager.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { startTestServer, type TestServer } from '../../fixtures/server/index.js';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { AuthErrorLink } from '../../src/links/auth-error-link.js';
import { AuthLink } from '../../src/links/auth-link.js';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { ProactiveRefreshLink } from '../../src/links/proactive-refresh-link.js';
import { TokenManager } from '../../src/token/manager.js';
import { asManager, countListeners, FakeManager } from '../support/fake-manager.js';
import { flushEventLoop } from '../support/flush.js';
import { execute, stubLink } from '../support/stub-link.js';

const UNAUTHENTICATED = { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] };

describe('each link on its own', () => {
  it('AuthErrorLink behind an auth link of the app: the retry carries the new token in its header', async () => {
    const manager = new FakeManager();
    // The app writes `x-token: <token>` itself; the server rejects t1.
    const appAuth = new ApolloLink((operation, forward) => {
      operation.setContext({ headers: { 'x-token': manager.token ?? '' } });
      return forward(operation);
    });
    const stub = stubLink((operation) =>
      operation.getContext().headers?.['x-token'] === 't1'
        ? of(UNAUTHENTICATED)
        : of({ data: { echo: 1 } }),
    );
    const link = ApolloLink.from([
      appAuth,
      new AuthErrorLink(asManager(manager), { header: 'x-token', format: (token) => token }),
      stub.link,
    ]);
    const operation = execute(link, 1);
    await flushEventLoop();
    // It knew which token failed without an AuthLink: the manager's at the time it was sent.
    expect(manager.refreshCalls).toEqual(['t1']);
    manager.succeed('t2');
    expect((await operation.settled).values).toEqual([{ data: { echo: 1 } }]);
    expect(stub.sent.map((attempt) => attempt.headers['x-token'])).toEqual(['t1', 't2']);
  });

  it('ProactiveRefreshLink without an AuthLink writes the token it waited for', async () => {
    const manager = new FakeManager();
    const stub = stubLink();
    const link = ApolloLink.from([new ProactiveRefreshLink(asManager(manager)), stub.link]);
    manager.startRefresh();
    const operation = execute(link, 1);
    await flushEventLoop();
    expect(stub.sent).toHaveLength(0);
    manager.succeed('t2');
    await operation.settled;
    expect(stub.sent.map((attempt) => attempt.headers.authorization)).toEqual(['Bearer t2']);
  });

  it('links in another order still hold, write one header and retry once', async () => {
    const fake = new FakeManager();
    const stub = stubLink((operation) =>
      operation.getContext().headers?.['x-token'] === 'T t1'
        ? of(UNAUTHENTICATED)
        : of({ data: { echo: operation.variables.n } }),
    );
    const manager = asManager(fake);
    const options = { header: 'x-token', format: (token: string) => `T ${token}` };
    const link = ApolloLink.from([
      new AuthErrorLink(manager, options),
      new ProactiveRefreshLink(manager, options),
      new AuthLink(manager, options),
      stub.link,
    ]);
    const operation = execute(link, 1);
    await flushEventLoop();
    fake.succeed('t2');
    expect((await operation.settled).values).toEqual([{ data: { echo: 1 } }]);
    expect(stub.sent.map((attempt) => attempt.headers)).toEqual([
      { 'x-token': 'T t1' },
      { 'x-token': 'T t2' },
    ]);
  });
});

describe('against the real server', () => {
  let server: TestServer | undefined;
  let started: TokenManager | undefined;
  afterEach(async () => {
    started?.dispose();
    await server?.close();
  });

  it("AuthErrorLink behind the app's own SetContextLink never resends the rejected token", async () => {
    server = await startTestServer({ unauthenticatedAs: '401-without-code' });
    const manager = new TokenManager({ refresh: httpRefresh(server.refreshUrl) });
    started = manager;
    await manager.setTokens(await server.login());
    const appAuth = new SetContextLink(async (context) => ({
      headers: { ...context.headers, authorization: `Bearer ${await manager.getAccessToken()}` },
    }));
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        appAuth,
        new AuthErrorLink(manager),
        new HttpLink({ uri: server.url }),
      ]),
    });
    const rejected = await manager.getAccessToken();
    server.revokeAccessToken(rejected ?? '');
    server.resetCounters();
    const results = await Promise.all(
      [1, 2, 3].map((value) =>
        client.query({ query: EchoDocument, variables: { n: value }, fetchPolicy: 'no-cache' }),
      ),
    );
    expect(results.map((result) => result.data?.echo)).toEqual([1, 2, 3]);
    const { requestTokens, refreshes } = server.counters;
    expect(refreshes).toBe(1);
    expect(requestTokens.filter((token) => token === rejected)).toHaveLength(3);
    expect(requestTokens.filter((token) => token !== rejected)).toHaveLength(3);
    client.stop();
  });
});

describe('teardown', () => {
  it('1,000 link chains used during refreshes, then dropped: nothing left on the manager', async () => {
    let issued = 0;
    const manager = new TokenManager({
      refresh: async () => ({ accessToken: `t${++issued}` }),
    });
    const listeners = countListeners(manager);
    await manager.setTokens({ accessToken: 't0' });
    const stub = stubLink();
    const chains = Array.from({ length: 1_000 }, () =>
      ApolloLink.from([createTokenRefreshLink(manager), stub.link]),
    );
    // Every chain holds an operation during a refresh, so every one subscribed while it held.
    const refreshing = manager.refresh();
    const outcomes = chains.map((chain, index) => execute(chain, index).settled);
    await refreshing;
    await Promise.all(outcomes);
    expect(stub.sent).toHaveLength(1_000);
    // Each queue lets go of the manager once idle, a few ticks after its last operation.
    await flushEventLoop();
    expect(listeners.active).toBe(0);
    manager.dispose();
  });

  it('10,000 chains built, used and dropped on one long-lived manager: memory stays flat', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapAfterCollecting = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const manager = new TokenManager({ refresh: async () => ({ accessToken: 'next' }) });
    const listeners = countListeners(manager);
    await manager.setTokens({ accessToken: 'current' });
    const stub = stubLink();
    const use = async (count: number) => {
      for (let chain = 0; chain < count; chain++) {
        await execute(ApolloLink.from([createTokenRefreshLink(manager), stub.link]), chain).settled;
      }
      stub.sent.length = 0;
    };
    await use(100); // warm up: code, caches and the stub's own bookkeeping
    const before = heapAfterCollecting();
    await use(10_000);
    const growth = heapAfterCollecting() - before;
    expect(listeners.active).toBe(0);
    // Each chain, kept, would hold a queue and its listeners: kilobytes, tens of MB in all.
    expect(growth).toBeLessThan(1_000_000);
    manager.dispose();
  });
});
