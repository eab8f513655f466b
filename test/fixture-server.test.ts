import {
  ApolloClient,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
} from '@apollo/client';
import { type Client, createClient } from 'graphql-ws';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MeDocument } from '../fixtures/__generated__/graphql.js';
import { startTestServer, type TestServer } from '../fixtures/server/index.js';
import { httpRefresh, RefreshHttpError } from '../fixtures/server/refresh.js';
import { condition, eventually } from './support/wait.js';

/** POSTs `query` as raw JSON, as any GraphQL client would; the parsed answer and its type. */
async function postQuery(
  server: TestServer,
  query: string,
  options: { token?: string; operationName?: string; variables?: Record<string, unknown> } = {},
) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
    },
    body: JSON.stringify({
      query,
      operationName: options.operationName,
      variables: options.variables,
    }),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) };
}

const refreshOnce = (server: TestServer, refreshToken: string | undefined, signal?: AbortSignal) =>
  httpRefresh(server.refreshUrl)({ refreshToken, signal: signal ?? new AbortController().signal });

describe('test server over HTTP', () => {
  let clock = Date.now();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ accessTtlMs: 60_000, now: () => clock });
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.knobs.refresh = 'ok';
    server.knobs.unauthenticatedAs = '200';
    server.resetCounters();
  });

  it('logs in over HTTP and answers me with the token', async () => {
    const res = await fetch(server.loginUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob' }),
    });
    const tokens = (await res.json()) as { accessToken: string; refreshToken: string };
    expect(decodeJwt(tokens.accessToken).exp).toBe(Math.floor((clock + 60_000) / 1000));
    const r = await postQuery(server, 'query Me($n: Int!) { me { id name } echo(n: $n) }', {
      token: tokens.accessToken,
      variables: { n: 7 },
    });
    expect(r).toMatchObject({ status: 200, body: { data: { me: { id: 'bob' }, echo: 7 } } });
    expect(r.type).toBe('application/graphql-response+json');
    expect(server.counters.requestTokens).toEqual([tokens.accessToken]);
    expect(server.counters.requestVariables).toEqual([{ n: 7 }]);
  });

  it('renames the user and mocks items by id', async () => {
    const { accessToken: token } = await server.login('carol');
    await postQuery(server, 'mutation { rename(name: "Carol") { id } }', { token });
    const r = await postQuery(server, '{ me { name } item(id: "i1") { id title price } }', {
      token,
    });
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
    server.knobs.unauthenticatedAs = form;
    const token = await server.signAccessToken({ ttlMs: 5_000 });
    expect((await postQuery(server, '{ me { id } }', { token })).status).toBe(200);
    clock += 5_000; // exp is reached exactly at exp * 1000
    try {
      const r = await postQuery(server, '{ me { id } }', { token });
      expect(r).toMatchObject({ status, type });
      expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(server.counters.unauthorized).toBe(1);
    } finally {
      clock -= 5_000;
    }
  });

  it('is read by Apollo Client 4 HttpLink as SPEC expects, in each form', async () => {
    const expired = await server.signAccessToken({ ttlMs: -1_000 });
    const seen: string[] = [];
    for (const form of ['200', '401-json', '401-graphql-response'] as const) {
      server.knobs.unauthenticatedAs = form;
      const client = new ApolloClient({
        cache: new InMemoryCache(),
        link: new HttpLink({ uri: server.url, headers: { authorization: `Bearer ${expired}` } }),
      });
      const error = await client.query({ query: MeDocument }).then(
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
    const token = await server.signAccessToken();
    const bad = await server.signAccessToken({ ttlMs: -1 });
    expect((await postQuery(server, '{ echo(n: 1) }')).body.errors[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await postQuery(server, '{ echo(n: 1) }', { token: bad })).body.errors).toBeDefined();
    const pub = await postQuery(server, 'query PublicEcho { echo(n: 2) }', {
      operationName: 'PublicEcho',
    });
    expect(pub.body).toEqual({ data: { echo: 2 } });
    server.revokeAccessToken(token);
    expect((await postQuery(server, '{ echo(n: 1) }', { token })).body.errors).toBeDefined();
    server.knobs.rejectAllTokens = true;
    const fresh = await server.signAccessToken();
    expect((await postQuery(server, '{ echo(n: 1) }', { token: fresh })).body.errors).toBeDefined();
    server.knobs.rejectAllTokens = false;
    expect((await postQuery(server, '{ echo(n: 1) }', { token: fresh })).body).toEqual({
      data: { echo: 1 },
    });
    expect(server.counters.unauthorized).toBe(4);
    expect(server.counters.requestTokens).toEqual([null, bad, null, token, fresh, fresh]);
  });

  it('answers 502, drops connections and delays on the GraphQL knobs', async () => {
    const token = await server.signAccessToken();
    server.knobs.graphql502 = 1;
    expect((await fetch(server.url, { method: 'POST', body: '{}' })).status).toBe(502);
    server.knobs.graphqlDrop = 1;
    await expect(postQuery(server, '{ echo(n: 1) }', { token })).rejects.toThrow();
    expect(server.knobs).toMatchObject({ graphql502: 0, graphqlDrop: 0 });
    server.knobs.graphqlLatencyMs = 50;
    const start = performance.now();
    expect((await postQuery(server, '{ echo(n: 3) }', { token })).body.data.echo).toBe(3);
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    server.knobs.graphqlLatencyMs = 0;
    expect(server.counters.requests).toBe(3);
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(server.url, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('supports the httpOnly cookie flow and credentialed CORS', async () => {
    const login = await fetch(server.loginUrl, { method: 'POST', body: '{}' });
    const set = login.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^refresh_token=[^;]+; HttpOnly; Path=\/refresh/);
    const res = await fetch(server.refreshUrl, {
      method: 'POST',
      headers: { cookie: set.split(';')[0] ?? '', origin: 'http://localhost:3000' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const { refreshToken } = (await login.json()) as { refreshToken: string };
    expect(server.counters.refreshTokensSeen).toEqual([refreshToken]);
  });

  it('keeps the refresh token valid without rotation', async () => {
    const { refreshToken } = await server.login();
    const a = await refreshOnce(server, refreshToken);
    const b = await refreshOnce(server, refreshToken);
    expect(a.refreshToken).toBe(refreshToken);
    expect(b.accessToken).not.toBe(a.accessToken); // jti differs within one second
    expect(
      (await postQuery(server, '{ me { id } }', { token: b.accessToken })).body.data.me.id,
    ).toBe('alice');
    server.revokeRefreshToken(refreshToken);
    await expect(refreshOnce(server, refreshToken)).rejects.toMatchObject({ status: 401 });
    await expect(refreshOnce(server, undefined)).rejects.toMatchObject({ status: 401 });
    expect(server.counters.refreshTokensSeen).toEqual([
      refreshToken,
      refreshToken,
      refreshToken,
      null,
    ]);
  });

  it.each([
    ['401', 401],
    ['500', 500],
  ] as const)('fails refresh with HTTP %s', async (mode, status) => {
    const { refreshToken } = await server.login();
    server.knobs.refresh = mode;
    const e = await refreshOnce(server, refreshToken).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RefreshHttpError);
    expect(e).toMatchObject({ status });
    expect(String(e)).not.toContain(refreshToken);
  });

  it('answers 503 once, then heals', async () => {
    const { refreshToken } = await server.login();
    server.knobs.refresh = '503-once';
    await expect(refreshOnce(server, refreshToken)).rejects.toMatchObject({ status: 503 });
    expect(server.knobs.refresh).toBe('ok');
    expect((await refreshOnce(server, refreshToken)).accessToken).toBeTypeOf('string');
  });

  it('hangs until the client aborts', async () => {
    const { refreshToken } = await server.login();
    server.knobs.refresh = 'hang';
    const ac = new AbortController();
    const p = refreshOnce(server, refreshToken, ac.signal);
    await eventually(
      () => server.counters.refreshesInFlight === 1,
      'the refresh to reach the server',
    );
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await eventually(
      () => server.counters.refreshesInFlight === 0,
      'the server to drop the refresh',
    );
  });

  it('drops, sends malformed JSON and broken tokens on the fault knobs', async () => {
    const { refreshToken } = await server.login();
    server.knobs.refresh = 'drop';
    await expect(refreshOnce(server, refreshToken)).rejects.toThrow(TypeError);
    server.knobs.refresh = 'malformed';
    await expect(refreshOnce(server, refreshToken)).rejects.toThrow(SyntaxError);
    server.knobs.refresh = 'missing-access-token';
    expect(await refreshOnce(server, refreshToken)).toEqual({ refreshToken });
    server.knobs.refresh = 'expired-access-token';
    const expired = (await refreshOnce(server, refreshToken)).accessToken;
    expect((decodeJwt(expired).exp ?? Number.POSITIVE_INFINITY) * 1000).toBeLessThan(clock);
    server.knobs.refresh = 'bad-signature';
    const forged = (await refreshOnce(server, refreshToken)).accessToken;
    expect(decodeJwt(forged).exp).toBeGreaterThan(clock / 1000);
    expect(
      (await postQuery(server, '{ echo(n: 1) }', { token: forged })).body.errors,
    ).toBeDefined();
    server.knobs.refresh = 'no-exp';
    const opaque = (await refreshOnce(server, refreshToken)).accessToken;
    expect(decodeJwt(opaque).exp).toBeUndefined();
    expect((await postQuery(server, '{ echo(n: 1) }', { token: opaque })).body.data.echo).toBe(1);
    server.knobs.refresh = 'ok';
    expect((await refreshOnce(server, refreshToken)).refreshToken).toBe(refreshToken);
  });

  it('counts concurrent refreshes under latency', async () => {
    const { refreshToken } = await server.login();
    server.knobs.refreshLatencyMs = 30;
    await Promise.all([1, 2, 3].map(() => refreshOnce(server, refreshToken)));
    server.knobs.refreshLatencyMs = 0;
    expect(server.counters).toMatchObject({ refreshes: 3, maxConcurrentRefreshes: 3 });
    expect(server.counters.refreshesInFlight).toBe(0);
  });
});

describe('refresh token rotation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rotateRefreshTokens: true });
  });
  afterAll(() => server.close());

  it('issues single-use tokens and revokes the family on reuse', async () => {
    const first = await server.login();
    const second = await refreshOnce(server, first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = await refreshOnce(server, second.refreshToken);
    await expect(refreshOnce(server, first.refreshToken)).rejects.toMatchObject({ status: 401 });
    expect(server.counters.reuseDetections).toBe(1);
    // The whole family is gone, including the newest token.
    await expect(refreshOnce(server, third.refreshToken)).rejects.toMatchObject({ status: 401 });
    const other = await server.login('dave');
    expect((await refreshOnce(server, other.refreshToken)).accessToken).toBeTypeOf('string');
  });
});

/**
 * A graphql-ws client of `server` for `token` (`null`: no connectionParams), retrying
 * `retryAttempts` times 20 ms apart; `codes` records the code of each close.
 */
function wsClient(server: TestServer, token: string | null, retryAttempts = 0) {
  const codes: number[] = [];
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 20)),
    connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
    on: { closed: (event) => void codes.push((event as { code: number }).code) },
  });
  return { client, codes };
}

/**
 * Subscribes with `query`: `values` fills with ticks, `until(holds, what)` waits for them;
 * `ended` resolves `complete` or the error.
 */
function watch(client: Client, query: string) {
  const values: number[] = [];
  const arrived = condition();
  const ended = new Promise<unknown>((resolve) =>
    client.subscribe(
      { query },
      {
        next: (result) => {
          values.push(result.data?.ticks as number);
          arrived.poke();
        },
        error: resolve,
        complete: () => resolve('complete'),
      },
    ),
  );
  return { values, ended, until: arrived.until };
}

describe('test server over graphql-ws', () => {
  let clock = Date.now();
  let server: TestServer;
  const clients: Client[] = [];
  const connect = (token: string | null, retryAttempts = 0) => {
    const connected = wsClient(server, token, retryAttempts);
    clients.push(connected.client);
    return connected;
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
    server = await startTestServer({ now: () => clock });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    server.knobs.ws = { connect: 'verify', closeAtExpiry: false };
    server.resetCounters();
  });
  afterAll(() => server.close());

  it('streams ticks to a valid token', async () => {
    const token = await server.signAccessToken({ user: 'erin' });
    const { client } = connect(token);
    const r = await take(client, 'subscription { ticks(intervalMs: 5, limit: 3) }');
    expect(r).toEqual({ values: [1, 2, 3], error: null });
    expect(server.counters.wsConnections).toEqual([{ token, accepted: true }]);
  });

  it.each([
    ['verify', 4403],
    ['verify-4401', 4401],
  ] as const)('closes a bad token on %s with %i', async (mode, code) => {
    server.knobs.ws.connect = mode;
    const token = await server.signAccessToken({ ttlMs: -1_000 });
    const { client, codes } = connect(token);
    const r = await take(client, 'subscription { ticks }');
    expect(r.error?.code).toBe(code);
    expect(codes).toEqual([code]);
    expect(server.counters.wsCloses).toEqual([code]);
    expect(server.counters.wsConnections).toEqual([{ token, accepted: false }]);
  });

  it('rejects every socket on reject-all, and one without params', async () => {
    const good = connect(await server.signAccessToken());
    expect((await take(good.client, 'subscription { ticks(limit: 1) }')).values).toEqual([1]);
    server.knobs.ws.connect = 'reject-all';
    const again = connect(await server.signAccessToken());
    expect((await take(again.client, 'subscription { ticks }')).error?.code).toBe(4403);
    server.knobs.ws.connect = 'verify';
    const anon = connect(null);
    expect((await take(anon.client, 'subscription { ticks }')).error?.code).toBe(4403);
    expect(server.counters.wsConnections.map((c) => c.accepted)).toEqual([true, false, false]);
  });

  it('closes at token expiry and on demand', async () => {
    server.knobs.ws.closeAtExpiry = true;
    clock = Math.ceil(Date.now() / 1000) * 1000 - 60; // exp * 1000 lands 60 ms of real time ahead
    const token = await server.signAccessToken({ ttlMs: 1_000 });
    expect(decodeJwt(token).exp).toBe((clock + 60) / 1000);
    const a = connect(token);
    expect((await take(a.client, 'subscription { ticks(intervalMs: 10) }')).error?.code).toBe(4403);
    server.knobs.ws.closeAtExpiry = false;
    clock = Date.now();
    const b = connect(await server.signAccessToken());
    const pending = take(b.client, 'subscription { ticks(intervalMs: 10) }');
    await eventually(() => server.counters.wsConnections.length === 2, 'the second connection');
    server.closeWsConnections(4499, 'test');
    const r = await pending;
    expect(r.error?.code).toBe(4499);
    expect(server.counters.wsCloses).toEqual([4403, 4499]);
  });

  it('closes expired sockets on demand by the injected clock; resolvers see the user', async () => {
    clock = Date.now();
    const { client } = connect(await server.signAccessToken({ user: 'fay', ttlMs: 10_000 }));
    const me = await client.iterate({ query: '{ me { id } }' }).next();
    expect(me.value?.data).toEqual({ me: { id: 'fay' } });
    const pending = take(client, 'subscription { ticks(intervalMs: 10) }');
    expect(server.closeExpiredWsConnections()).toBe(0);
    clock += 10_000;
    expect(server.closeExpiredWsConnections()).toBe(1);
    expect((await pending).error?.code).toBe(4403);
    clock = Date.now();
  });

  it('survives kill and revive on the same port', async () => {
    const token = await server.signAccessToken();
    const { client, codes } = connect(token, 5);
    // Slow enough that nothing ticks between the first value and kill().
    const ticks = watch(client, 'subscription { ticks(intervalMs: 200, limit: 2) }');
    await ticks.until(() => ticks.values.length === 1, 'the first tick');
    await server.kill();
    await expect(postQuery(server, '{ echo(n: 1) }', { token })).rejects.toThrow(TypeError);
    await server.revive();
    expect(await ticks.ended).toBe('complete');
    expect(ticks.values).toEqual([1, 1, 2]); // the subscription restarted on the new socket
    expect(codes[0]).toBe(1006);
    expect((await postQuery(server, '{ echo(n: 1) }', { token })).body.data.echo).toBe(1);
    expect(server.counters.wsConnections.filter((c) => c.accepted).length).toBe(2);
  });
});

describe('close()', () => {
  const kinds = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
  const count = () => process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;

  it('stops everything: hanging refresh, slow query, live subscription', async () => {
    const before = count();
    const server = await startTestServer();
    const token = await server.signAccessToken();
    server.knobs.refresh = 'hang';
    server.knobs.ws.closeAtExpiry = true;
    const hanging = refreshOnce(server, (await server.login()).refreshToken).catch(
      (e: unknown) => e,
    );
    server.knobs.graphqlLatencyMs = 60_000;
    const slow = postQuery(server, '{ echo(n: 1) }', { token }).catch((e: unknown) => e);
    const { client } = wsClient(server, token);
    const live = watch(client, 'subscription { ticks(intervalMs: 5) }');
    await live.until(() => live.values.length > 0, 'the first tick');
    await eventually(
      () => server.counters.requests === 1 && server.counters.refreshesInFlight === 1,
      'the slow query and the hanging refresh to reach the server',
    );
    await server.close();
    expect(await hanging).toBeInstanceOf(TypeError);
    expect(await slow).toBeInstanceOf(TypeError);
    // The live subscription ends with the socket's close, not as a completed stream.
    expect(await live.ended).not.toBe('complete');
    await client.dispose();
    await eventually(() => count() <= before, 'every handle of the server to close');
  });
});
