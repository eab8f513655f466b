import {
  ApolloClient,
  gql as apolloGql,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
} from '@apollo/client';
import { type Client, createClient } from 'graphql-ws';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../fixtures/server/index.js';
import { httpRefresh, RefreshHttpError } from '../fixtures/server/refresh.js';
import { until } from './reliability/harness.js';

async function gql(
  s: TestServer,
  query: string,
  o: { token?: string; operationName?: string; variables?: Record<string, unknown> } = {},
) {
  const res = await fetch(s.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(o.token && { authorization: `Bearer ${o.token}` }),
    },
    body: JSON.stringify({ query, operationName: o.operationName, variables: o.variables }),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) };
}

const refreshOnce = (s: TestServer, refreshToken: string | undefined, signal?: AbortSignal) =>
  httpRefresh(s.refreshUrl)({ refreshToken, signal: signal ?? new AbortController().signal });

describe('test server over HTTP', () => {
  let t = Date.now();
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ accessTtlMs: 60_000, now: () => t });
  });
  afterAll(() => s.close());
  afterEach(() => {
    s.knobs.refresh = 'ok';
    s.knobs.unauthenticatedAs = '200';
    s.resetCounters();
  });

  it('logs in over HTTP and answers me with the token', async () => {
    const res = await fetch(s.loginUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob' }),
    });
    const tokens = (await res.json()) as { accessToken: string; refreshToken: string };
    expect(decodeJwt(tokens.accessToken).exp).toBe(Math.floor((t + 60_000) / 1000));
    const r = await gql(s, 'query Me($n: Int!) { me { id name } echo(n: $n) }', {
      token: tokens.accessToken,
      variables: { n: 7 },
    });
    expect(r).toMatchObject({ status: 200, body: { data: { me: { id: 'bob' }, echo: 7 } } });
    expect(r.type).toBe('application/graphql-response+json');
    expect(s.counters.requestTokens).toEqual([tokens.accessToken]);
    expect(s.counters.requestVariables).toEqual([{ n: 7 }]);
  });

  it('renames the user and mocks items by id', async () => {
    const { accessToken: token } = await s.login('carol');
    await gql(s, 'mutation { rename(name: "Carol") { id } }', { token });
    const r = await gql(s, '{ me { name } item(id: "i1") { id title price } }', { token });
    expect(r.body.data).toEqual({
      me: { name: 'Carol' },
      item: { id: 'i1', title: 'Hello World', price: 9.99 },
    });
  });

  it.each([
    ['200', 200, 'application/graphql-response+json'],
    ['401-json', 401, 'application/json'],
    ['401-graphql-response', 401, 'application/graphql-response+json'],
  ] as const)('answers an expired token as %s', async (form, status, type) => {
    s.knobs.unauthenticatedAs = form;
    const token = await s.signAccessToken({ ttlMs: 5_000 });
    expect((await gql(s, '{ me { id } }', { token })).status).toBe(200);
    t += 5_000; // exp is reached exactly at exp * 1000
    try {
      const r = await gql(s, '{ me { id } }', { token });
      expect(r).toMatchObject({ status, type });
      expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(s.counters.unauthorized).toBe(1);
    } finally {
      t -= 5_000;
    }
  });

  it('is read by Apollo Client 4 HttpLink as SPEC expects, in each form', async () => {
    const expired = await s.signAccessToken({ ttlMs: -1_000 });
    const seen: string[] = [];
    for (const form of ['200', '401-json', '401-graphql-response'] as const) {
      s.knobs.unauthenticatedAs = form;
      const client = new ApolloClient({
        cache: new InMemoryCache(),
        link: new HttpLink({ uri: s.url, headers: { authorization: `Bearer ${expired}` } }),
      });
      const error = await client.query({ query: apolloGql`query Me { me { id } }` }).then(
        () => null,
        (e: unknown) => e,
      );
      if (CombinedGraphQLErrors.is(error))
        seen.push(`graphql ${error.errors[0]?.extensions?.code as string}`);
      else if (ServerError.is(error)) seen.push(`server ${error.statusCode}`);
      else seen.push(String(error));
    }
    expect(seen).toEqual(['graphql UNAUTHENTICATED', 'server 401', 'graphql UNAUTHENTICATED']);
  });

  it('rejects missing, revoked and foreign tokens; Public* operations need none', async () => {
    const token = await s.signAccessToken();
    const bad = await s.signAccessToken({ ttlMs: -1 });
    expect((await gql(s, '{ echo(n: 1) }')).body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await gql(s, '{ echo(n: 1) }', { token: bad })).body.errors).toBeDefined();
    const pub = await gql(s, 'query PublicEcho { echo(n: 2) }', { operationName: 'PublicEcho' });
    expect(pub.body).toEqual({ data: { echo: 2 } });
    s.revokeAccessToken(token);
    expect((await gql(s, '{ echo(n: 1) }', { token })).body.errors).toBeDefined();
    s.knobs.rejectAllTokens = true;
    const fresh = await s.signAccessToken();
    expect((await gql(s, '{ echo(n: 1) }', { token: fresh })).body.errors).toBeDefined();
    s.knobs.rejectAllTokens = false;
    expect((await gql(s, '{ echo(n: 1) }', { token: fresh })).body).toEqual({ data: { echo: 1 } });
    expect(s.counters.unauthorized).toBe(4);
    expect(s.counters.requestTokens).toEqual([null, bad, null, token, fresh, fresh]);
  });

  it('answers 502, drops connections and delays on the GraphQL knobs', async () => {
    const token = await s.signAccessToken();
    s.knobs.graphql502 = 1;
    expect((await fetch(s.url, { method: 'POST', body: '{}' })).status).toBe(502);
    s.knobs.graphqlDrop = 1;
    await expect(gql(s, '{ echo(n: 1) }', { token })).rejects.toThrow();
    expect(s.knobs).toMatchObject({ graphql502: 0, graphqlDrop: 0 });
    s.knobs.graphqlLatencyMs = 50;
    const start = performance.now();
    expect((await gql(s, '{ echo(n: 3) }', { token })).body.data.echo).toBe(3);
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    s.knobs.graphqlLatencyMs = 0;
    expect(s.counters.requests).toBe(3);
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(s.url, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('supports the httpOnly cookie flow and credentialed CORS', async () => {
    const login = await fetch(s.loginUrl, { method: 'POST', body: '{}' });
    const set = login.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^refresh_token=[^;]+; HttpOnly; Path=\/refresh/);
    const res = await fetch(s.refreshUrl, {
      method: 'POST',
      headers: { cookie: set.split(';')[0] ?? '', origin: 'http://localhost:3000' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const { refreshToken } = (await login.json()) as { refreshToken: string };
    expect(s.counters.refreshTokensSeen).toEqual([refreshToken]);
  });

  it('keeps the refresh token valid without rotation', async () => {
    const { refreshToken } = await s.login();
    const a = await refreshOnce(s, refreshToken);
    const b = await refreshOnce(s, refreshToken);
    expect(a.refreshToken).toBe(refreshToken);
    expect(b.accessToken).not.toBe(a.accessToken); // jti differs within one second
    expect((await gql(s, '{ me { id } }', { token: b.accessToken })).body.data.me.id).toBe('alice');
    s.revokeRefreshToken(refreshToken);
    await expect(refreshOnce(s, refreshToken)).rejects.toMatchObject({ status: 401 });
    await expect(refreshOnce(s, undefined)).rejects.toMatchObject({ status: 401 });
    expect(s.counters.refreshTokensSeen).toEqual([refreshToken, refreshToken, refreshToken, null]);
  });

  it.each([
    ['401', 401],
    ['500', 500],
  ] as const)('fails refresh with HTTP %s', async (mode, status) => {
    const { refreshToken } = await s.login();
    s.knobs.refresh = mode;
    const e = await refreshOnce(s, refreshToken).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RefreshHttpError);
    expect(e).toMatchObject({ status });
    expect(String(e)).not.toContain(refreshToken);
  });

  it('answers 503 once, then heals', async () => {
    const { refreshToken } = await s.login();
    s.knobs.refresh = '503-once';
    await expect(refreshOnce(s, refreshToken)).rejects.toMatchObject({ status: 503 });
    expect(s.knobs.refresh).toBe('ok');
    expect((await refreshOnce(s, refreshToken)).accessToken).toBeTypeOf('string');
  });

  it('hangs until the client aborts', async () => {
    const { refreshToken } = await s.login();
    s.knobs.refresh = 'hang';
    const ac = new AbortController();
    const p = refreshOnce(s, refreshToken, ac.signal);
    await until(() => s.counters.refreshesInFlight === 1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => s.counters.refreshesInFlight === 0);
  });

  it('drops, sends malformed JSON and broken tokens on the fault knobs', async () => {
    const { refreshToken } = await s.login();
    s.knobs.refresh = 'drop';
    await expect(refreshOnce(s, refreshToken)).rejects.toThrow(TypeError);
    s.knobs.refresh = 'malformed';
    await expect(refreshOnce(s, refreshToken)).rejects.toThrow(SyntaxError);
    s.knobs.refresh = 'missing-access-token';
    expect(await refreshOnce(s, refreshToken)).toEqual({ refreshToken });
    s.knobs.refresh = 'expired-access-token';
    const expired = (await refreshOnce(s, refreshToken)).accessToken;
    expect((decodeJwt(expired).exp ?? Number.POSITIVE_INFINITY) * 1000).toBeLessThan(t);
    s.knobs.refresh = 'bad-signature';
    const forged = (await refreshOnce(s, refreshToken)).accessToken;
    expect(decodeJwt(forged).exp).toBeGreaterThan(t / 1000);
    expect((await gql(s, '{ echo(n: 1) }', { token: forged })).body.errors).toBeDefined();
    s.knobs.refresh = 'no-exp';
    const opaque = (await refreshOnce(s, refreshToken)).accessToken;
    expect(decodeJwt(opaque).exp).toBeUndefined();
    expect((await gql(s, '{ echo(n: 1) }', { token: opaque })).body.data.echo).toBe(1);
    s.knobs.refresh = 'ok';
    expect((await refreshOnce(s, refreshToken)).refreshToken).toBe(refreshToken);
  });

  it('counts concurrent refreshes under latency', async () => {
    const { refreshToken } = await s.login();
    s.knobs.refreshLatencyMs = 30;
    await Promise.all([1, 2, 3].map(() => refreshOnce(s, refreshToken)));
    s.knobs.refreshLatencyMs = 0;
    expect(s.counters).toMatchObject({ refreshes: 3, maxConcurrentRefreshes: 3 });
    expect(s.counters.refreshesInFlight).toBe(0);
  });
});

describe('refresh token rotation', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ rotateRefreshTokens: true });
  });
  afterAll(() => s.close());

  it('issues single-use tokens and revokes the family on reuse', async () => {
    const first = await s.login();
    const second = await refreshOnce(s, first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = await refreshOnce(s, second.refreshToken);
    await expect(refreshOnce(s, first.refreshToken)).rejects.toMatchObject({ status: 401 });
    expect(s.counters.reuseDetections).toBe(1);
    // The whole family is gone, including the newest token.
    await expect(refreshOnce(s, third.refreshToken)).rejects.toMatchObject({ status: 401 });
    const other = await s.login('dave');
    expect((await refreshOnce(s, other.refreshToken)).accessToken).toBeTypeOf('string');
  });
});

describe('test server over graphql-ws', () => {
  let t = Date.now();
  let s: TestServer;
  const clients: Client[] = [];
  const connect = (token: string | null) => {
    const codes: number[] = [];
    const client = createClient({
      url: s.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
      on: { closed: (e) => void codes.push((e as { code: number }).code) },
    });
    clients.push(client);
    return { client, codes };
  };
  const take = async (client: Client, query: string) => {
    const values: unknown[] = [];
    try {
      for await (const r of client.iterate({ query })) values.push(r.data?.ticks);
    } catch (e) {
      return { values, error: e as { code?: number } };
    }
    return { values, error: null };
  };

  beforeAll(async () => {
    s = await startTestServer({ now: () => t });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    s.knobs.ws = { connect: 'verify', closeAtExpiry: false };
    s.resetCounters();
  });
  afterAll(() => s.close());

  it('streams ticks to a valid token', async () => {
    const token = await s.signAccessToken({ user: 'erin' });
    const { client } = connect(token);
    const r = await take(client, 'subscription { ticks(intervalMs: 5, limit: 3) }');
    expect(r).toEqual({ values: [1, 2, 3], error: null });
    expect(s.counters.wsConnections).toEqual([{ token, accepted: true }]);
  });

  it.each([
    ['verify', 4403],
    ['verify-4401', 4401],
  ] as const)('closes a bad token on %s with %i', async (mode, code) => {
    s.knobs.ws.connect = mode;
    const token = await s.signAccessToken({ ttlMs: -1_000 });
    const { client, codes } = connect(token);
    const r = await take(client, 'subscription { ticks }');
    expect(r.error?.code).toBe(code);
    expect(codes).toEqual([code]);
    expect(s.counters.wsCloses).toEqual([code]);
    expect(s.counters.wsConnections).toEqual([{ token, accepted: false }]);
  });

  it('rejects every socket on reject-all, and one without params', async () => {
    const good = connect(await s.signAccessToken());
    expect((await take(good.client, 'subscription { ticks(limit: 1) }')).values).toEqual([1]);
    s.knobs.ws.connect = 'reject-all';
    const again = connect(await s.signAccessToken());
    expect((await take(again.client, 'subscription { ticks }')).error?.code).toBe(4403);
    s.knobs.ws.connect = 'verify';
    const anon = connect(null);
    expect((await take(anon.client, 'subscription { ticks }')).error?.code).toBe(4403);
    expect(s.counters.wsConnections.map((c) => c.accepted)).toEqual([true, false, false]);
  });

  it('closes at token expiry and on demand', async () => {
    s.knobs.ws.closeAtExpiry = true;
    t = Math.ceil(Date.now() / 1000) * 1000 - 60; // exp * 1000 lands 60 ms of real time ahead
    const token = await s.signAccessToken({ ttlMs: 1_000 });
    expect(decodeJwt(token).exp).toBe((t + 60) / 1000);
    const a = connect(token);
    expect((await take(a.client, 'subscription { ticks(intervalMs: 10) }')).error?.code).toBe(4403);
    s.knobs.ws.closeAtExpiry = false;
    t = Date.now();
    const b = connect(await s.signAccessToken());
    const pending = take(b.client, 'subscription { ticks(intervalMs: 10) }');
    await until(() => s.counters.wsConnections.length === 2);
    s.closeWsConnections(4499, 'test');
    const r = await pending;
    expect(r.error?.code).toBe(4499);
    expect(s.counters.wsCloses).toEqual([4403, 4499]);
  });

  it('closes expired sockets on demand by the injected clock; resolvers see the user', async () => {
    t = Date.now();
    const { client } = connect(await s.signAccessToken({ user: 'fay', ttlMs: 10_000 }));
    const me = await client.iterate({ query: '{ me { id } }' }).next();
    expect(me.value?.data).toEqual({ me: { id: 'fay' } });
    const pending = take(client, 'subscription { ticks(intervalMs: 10) }');
    expect(s.closeExpiredWsConnections()).toBe(0);
    t += 10_000;
    expect(s.closeExpiredWsConnections()).toBe(1);
    expect((await pending).error?.code).toBe(4403);
    t = Date.now();
  });

  it('survives kill and revive on the same port', async () => {
    const token = await s.signAccessToken();
    const codes: number[] = [];
    const client = createClient({
      url: s.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 5,
      retryWait: () => new Promise((r) => setTimeout(r, 20)),
      connectionParams: { authorization: `Bearer ${token}` },
      on: { closed: (e) => void codes.push((e as { code: number }).code) },
    });
    clients.push(client);
    const seen: number[] = [];
    const done = new Promise<unknown>((resolve) =>
      client.subscribe(
        // Slow enough that nothing ticks between the first value and kill().
        { query: 'subscription { ticks(intervalMs: 200, limit: 2) }' },
        {
          next: (r) => void seen.push(r.data?.ticks as number),
          error: resolve,
          complete: () => resolve('ok'),
        },
      ),
    );
    await until(() => seen.length === 1);
    await s.kill();
    await expect(gql(s, '{ echo(n: 1) }', { token })).rejects.toThrow(TypeError);
    await s.revive();
    expect(await done).toBe('ok');
    expect(seen).toEqual([1, 1, 2]); // the subscription restarted on the new socket
    expect(codes[0]).toBe(1006);
    expect((await gql(s, '{ echo(n: 1) }', { token })).body.data.echo).toBe(1);
    expect(s.counters.wsConnections.filter((c) => c.accepted).length).toBe(2);
  });
});

describe('close()', () => {
  const kinds = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
  const count = () => process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;

  it('stops everything: hanging refresh, slow query, live subscription', async () => {
    const before = count();
    const s = await startTestServer();
    const token = await s.signAccessToken();
    s.knobs.refresh = 'hang';
    s.knobs.ws.closeAtExpiry = true;
    const hanging = refreshOnce(s, (await s.login()).refreshToken).catch((e: unknown) => e);
    s.knobs.graphqlLatencyMs = 60_000;
    const slow = gql(s, '{ echo(n: 1) }', { token }).catch((e: unknown) => e);
    const client = createClient({
      url: s.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const ticks: number[] = [];
    const sub = new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: 'subscription { ticks(intervalMs: 5) }' },
        {
          next: (r) => void ticks.push(r.data?.ticks as number),
          error: resolve,
          complete: () => resolve(null),
        },
      ),
    );
    await until(() => ticks.length > 0 && s.counters.requests === 1);
    await until(() => s.counters.refreshesInFlight === 1);
    await s.close();
    expect(await hanging).toBeInstanceOf(TypeError);
    expect(await slow).toBeInstanceOf(TypeError);
    expect(await sub).toBeDefined();
    await client.dispose();
    await until(() => count() <= before);
  });
});
