/**
 * createAuthFetch against the real test server: its `/rest/*` routes beside GraphQL, one
 * TokenManager and a real ApolloClient (createTokenRefreshLink) sharing the session.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { httpRefresh } from '../../fixtures/server/refresh.js';
import { createAuthFetch } from '../../src/fetch/create-auth-fetch.js';
import {
  RefreshFailedError,
  SessionExpiredError,
  TokenRefreshError,
} from '../../src/shared/errors.js';
import type { RefreshFunction } from '../../src/token/types.js';
import { deferred } from '../support/deferred.js';
import { flushEventLoop } from '../support/flush.js';
import { currentToken, type Harness, untilRefreshing, useHarness } from '../support/harness.js';
import { errorPlaces, tokensIn } from '../support/leaks.js';

const { start } = useHarness();

const echoUrl = (h: Harness) => `${h.server.origin}/rest/echo`;
const publicUrl = (h: Harness) => `${h.server.origin}/rest/public`;

interface Echo {
  user: string | null;
  method: string;
  body: string;
  headers: Record<string, string | undefined>;
}
const json = async (response: Response) => {
  expect(response.status).toBe(200);
  return (await response.json()) as Echo;
};

/** A harness whose refreshes wait for `gate` before calling the server's `/refresh`. */
async function gated() {
  let gate = deferred<void>();
  let h: Harness | undefined;
  const refresh: RefreshFunction = async (context) => {
    await gate.promise;
    if (!h) throw new Error('harness not started');
    return httpRefresh(h.server.refreshUrl)(context);
  };
  h = await start({ manager: { refresh } });
  gate.resolve(); // open until a test closes it
  return {
    h,
    close: () => {
      gate = deferred<void>();
    },
    open: () => gate.resolve(),
  };
}

describe('the header', () => {
  it('carries the current token', async () => {
    const h = await start();
    const authFetch = createAuthFetch(h.manager);
    const echo = await json(await authFetch(echoUrl(h)));
    expect(echo.user).toBe('alice');
    expect(h.server.counters.restRequests).toEqual([
      { method: 'GET', token: await currentToken(h), body: '' },
    ]);
  });

  it('is absent when nobody is signed in, and the request is sent as built', async () => {
    const h = await start({ login: false });
    const authFetch = createAuthFetch(h.manager);
    const echo = await json(
      await authFetch(publicUrl(h), { method: 'POST', body: 'hi', headers: { 'x-app': '1' } }),
    );
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers['x-app']).toBe('1');
    expect(echo.body).toBe('hi');
    expect(h.server.counters.refreshes).toBe(0);
  });

  it('replaces an auth header of the caller, keeps the others, also from a Request', async () => {
    const h = await start();
    const authFetch = createAuthFetch(h.manager);
    const headers = { authorization: 'Bearer stale', 'x-app': '1' };
    const fromInit = await json(await authFetch(publicUrl(h), { headers }));
    const fromRequest = await json(await authFetch(new Request(publicUrl(h), { headers })));
    for (const echo of [fromInit, fromRequest]) {
      expect(echo.headers.authorization).toBe(`Bearer ${await currentToken(h)}`);
      expect(echo.headers['x-app']).toBe('1');
    }
  });

  it('follows the header, format and fetch options', async () => {
    const h = await start();
    const receivers: unknown[] = [];
    const authFetch = createAuthFetch(h.manager, {
      header: 'x-access-token',
      format: (token) => `Token ${token}`,
      // Browsers throw "Illegal invocation" when their fetch is called on another object.
      fetch: function (this: unknown, input, init) {
        receivers.push(this);
        return fetch(input, init);
      },
    });
    const echo = await json(await authFetch(publicUrl(h)));
    expect(echo.headers['x-access-token']).toBe(`Token ${await currentToken(h)}`);
    expect(echo.headers.authorization).toBeUndefined();
    expect(receivers).toEqual([undefined]);
  });
});

describe('one session for REST and GraphQL', () => {
  it('an expired token: REST calls and GraphQL operations together wait for one refresh', async () => {
    const h = await start();
    const old = await currentToken(h);
    h.server.resetCounters();
    h.expireAccessToken();
    const authFetch = createAuthFetch(h.manager);

    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? authFetch(echoUrl(h), { method: 'POST', body: `rest ${i}` }).then(json) : h.echo(i),
    );
    const results = await Promise.all(calls);

    const fresh = await currentToken(h);
    expect(fresh).not.toBe(old);
    const c = h.server.counters;
    expect(c.refreshes).toBe(1);
    expect(c.requestTokens).toEqual(Array(10).fill(fresh));
    expect(c.restRequests.map((r) => r.token)).toEqual(Array(10).fill(fresh));
    expect(c.unauthorized).toBe(0);
    expect(results.filter((r) => typeof r === 'number')).toHaveLength(10);
  });

  it('a REST call arriving during a refresh waits for it and never sends the old token', async () => {
    const g = await gated();
    const { h } = g;
    const old = await currentToken(h);
    h.server.resetCounters();
    g.close();
    const refreshing = untilRefreshing(h);
    const refreshed = h.manager.refresh();
    await refreshing;
    const call = createAuthFetch(h.manager)(echoUrl(h));
    // Let the call run as far as it can: it must be waiting, not on the wire.
    await flushEventLoop(1);
    expect(h.server.counters.restRequests).toEqual([]);
    g.open();
    await refreshed;
    await json(await call);
    const [request] = h.server.counters.restRequests;
    expect(request?.token).toBe(await currentToken(h));
    expect(request?.token).not.toBe(old);
  });
});

describe('a rejected token', () => {
  it('one refresh for every request rejected with it, one retry each, bodies sent again intact', async () => {
    const h = await start();
    const old = await currentToken(h);
    h.server.revokeAccessToken(old);
    h.server.resetCounters();
    const authFetch = createAuthFetch(h.manager);
    const url = echoUrl(h);
    const form = new FormData();
    form.set('field', 'form value');
    const bytes = new TextEncoder().encode('typed array');
    const post = (body: BodyInit) => authFetch(url, { method: 'POST', body }).then(json);

    const [text, params, blob, formData, buffer, view, request, get, graphql] = await Promise.all([
      post('plain text'),
      post(new URLSearchParams({ a: '1', b: '2' })),
      post(new Blob(['blob body'])),
      post(form),
      post(bytes.buffer.slice(0)),
      post(bytes),
      authFetch(new Request(url, { method: 'PUT', body: 'request body' })).then(json),
      authFetch(url).then(json),
      h.echo(7),
    ]);

    expect(text?.body).toBe('plain text');
    expect(params?.body).toBe('a=1&b=2');
    expect(blob?.body).toBe('blob body');
    expect(formData?.body).toContain('form value');
    expect(buffer?.body).toBe('typed array');
    expect(view?.body).toBe('typed array');
    expect(request).toMatchObject({ method: 'PUT', body: 'request body' });
    expect(get?.method).toBe('GET');
    expect(graphql).toBe(7);

    const fresh = await currentToken(h);
    const c = h.server.counters;
    expect(c.refreshes).toBe(1);
    const tokens = c.restRequests.map((r) => r.token);
    expect(tokens.filter((t) => t === old)).toHaveLength(8);
    expect(tokens.filter((t) => t === fresh)).toHaveLength(8);
    expect(c.requestTokens).toEqual([old, fresh]);
  });

  it('nobody signed in: a 401 is returned as it came, and nothing calls refresh', async () => {
    const refresh = vi.fn<RefreshFunction>();
    const h = await start({ login: false, manager: { refresh } });
    const response = await createAuthFetch(h.manager)(echoUrl(h));
    expect(response.status).toBe(401);
    expect(refresh).not.toHaveBeenCalled();
    expect(h.server.counters.restRequests.map((r) => r.token)).toEqual([null]);
  });

  it('a cookie flow with restoreSession: the first request restores the session, no anonymous request', async () => {
    const seen: (string | undefined)[] = [];
    let h: Harness | undefined;
    h = await start({
      login: false,
      manager: {
        restoreSession: true,
        // As a cookie flow would: the refresh endpoint knows the session, the page does not.
        refresh: async ({ refreshToken }) => {
          seen.push(refreshToken);
          if (!h) throw new Error('harness not started');
          return h.server.login();
        },
      },
    });
    const echo = await json(await createAuthFetch(h.manager)(echoUrl(h)));
    expect(echo.user).toBe('alice');
    expect(seen).toEqual([undefined]);
    expect(h.server.counters.restRequests.map((r) => r.token)).toEqual([await currentToken(h)]);
  });

  it('uses globalThis.fetch as it is at call time by default', async () => {
    const h = await start();
    const authFetch = createAuthFetch(h.manager);
    const original = globalThis.fetch;
    const urls: string[] = [];
    globalThis.fetch = (input, init) => {
      urls.push(String(input));
      return original(input, init);
    };
    try {
      await json(await authFetch(echoUrl(h)));
    } finally {
      globalThis.fetch = original;
    }
    expect(urls).toEqual([echoUrl(h)]);
  });

  it('a second rejection is returned as it is: no second refresh, no loop', async () => {
    const h = await start();
    h.server.resetCounters();
    h.server.knobs.rejectAllTokens = true;
    const response = await createAuthFetch(h.manager)(echoUrl(h), { method: 'POST', body: 'x' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: 'unauthorized' });
    expect(h.server.counters.restRequests).toHaveLength(2);
    expect(h.server.counters.refreshes).toBe(1);
  });

  it('a one-shot stream body is not retried: the 401 comes back, nothing refreshed', async () => {
    const h = await start();
    h.server.revokeAccessToken(await currentToken(h));
    h.server.resetCounters();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    // `duplex` is required by Node's fetch for a stream body; DOM typings lack it.
    const init = { method: 'POST', body, duplex: 'half' } as RequestInit;
    const response = await createAuthFetch(h.manager)(echoUrl(h), init);
    expect(response.status).toBe(401);
    expect(h.server.counters.restRequests).toEqual([expect.objectContaining({ body: 'streamed' })]);
    expect(h.server.counters.refreshes).toBe(0);
  });

  it('isAuthError decides what counts as rejected', async () => {
    const h = await start();
    h.server.revokeAccessToken(await currentToken(h));
    h.server.resetCounters();
    const seen: number[] = [];
    const authFetch = createAuthFetch(h.manager, {
      isAuthError: (response) => {
        seen.push(response.status);
        return false;
      },
    });
    expect((await authFetch(echoUrl(h))).status).toBe(401);
    expect(seen).toEqual([401]);
    expect(h.server.counters.refreshes).toBe(0);
  });

  it.each([
    {
      failure: 'a rejected refresh token',
      mode: '401',
      type: SessionExpiredError,
      status: 'unauthenticated',
    },
    {
      failure: 'a transient refresh failure',
      mode: '500',
      type: RefreshFailedError,
      status: 'authenticated',
    },
  ] as const)(
    '$failure rejects the call with $type.name, $status after, no token in it',
    async ({ mode, type, status }) => {
      const h = await start();
      const old = await currentToken(h);
      h.server.revokeAccessToken(old);
      h.server.knobs.refresh = mode;
      const error = await createAuthFetch(h.manager)(echoUrl(h)).catch(
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(type);
      expect(h.manager.status).toBe(status);
      // Everything a logger could print of it: messages, stacks, own properties, causes.
      expect(tokensIn([old], errorPlaces('the rejection', [error]))).toEqual([]);
    },
  );
});

describe('abort', () => {
  it('aborts the wait for a refresh: rejected at once, nothing sent, the refresh goes on', async () => {
    const g = await gated();
    const { h } = g;
    h.server.resetCounters();
    h.expireAccessToken();
    g.close();
    const authFetch = createAuthFetch(h.manager);
    const controller = new AbortController();
    const refreshing = untilRefreshing(h);
    const aborted = authFetch(echoUrl(h), { signal: controller.signal });
    const other = authFetch(echoUrl(h));
    await refreshing;
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.server.counters.restRequests).toEqual([]);

    g.open();
    await json(await other);
    expect(h.server.counters.refreshes).toBe(1);
    expect(h.server.counters.restRequests).toHaveLength(1);
  });

  it("a Request's own signal aborts the wait too", async () => {
    const g = await gated();
    const { h } = g;
    h.expireAccessToken();
    g.close();
    const controller = new AbortController();
    const reason = new Error('user left the page');
    const call = createAuthFetch(h.manager)(new Request(echoUrl(h), { signal: controller.signal }));
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    g.open();
  });

  it('aborts the wait for the refresh after a 401', async () => {
    const g = await gated();
    const { h } = g;
    h.server.revokeAccessToken(await currentToken(h));
    h.server.resetCounters();
    g.close();
    const controller = new AbortController();
    const refreshing = untilRefreshing(h);
    const call = createAuthFetch(h.manager)(echoUrl(h), { signal: controller.signal });
    await refreshing; // the 401 came back and the refresh started
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.server.counters.restRequests).toHaveLength(1);
    g.open();
  });

  it('an already aborted signal rejects without asking for a token', async () => {
    const h = await start();
    h.server.resetCounters();
    h.expireAccessToken();
    const call = createAuthFetch(h.manager)(echoUrl(h), { signal: AbortSignal.abort() });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(h.server.counters.restRequests).toEqual([]);
    expect(h.manager.status).toBe('authenticated'); // no refresh started for it
    expect(h.server.counters.refreshes).toBe(0);
  });

  it('leaves no listener on a long-lived signal', async () => {
    const h = await start();
    const controller = new AbortController();
    // Node's own fetch keeps a listener per request until garbage collection: count only ours.
    const authFetch = createAuthFetch(h.manager, {
      fetch: (input, init) => fetch(input, { ...init, signal: null }),
    });
    for (let i = 0; i < 20; i++) {
      await (await authFetch(echoUrl(h), { signal: controller.signal })).text();
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('options', () => {
  it.each([
    ['fetch', { fetch: 'https://example.com' }],
    ['fetch', { fetch: null }],
    ['header', { header: '' }],
    ['format', { format: 'Bearer' }],
    ['isAuthError', { isAuthError: null }],
  ])('an invalid %s throws INVALID_OPTION naming it', async (name, options) => {
    const h = await start();
    let error: unknown;
    try {
      createAuthFetch(h.manager, options as never);
    } catch (e) {
      error = e;
    }
    expect(TokenRefreshError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_OPTION' });
    expect((error as Error).message).toContain(`Option ${name} `);
    // String values are never shown: they could be tokens.
    expect((error as Error).message).not.toContain('example.com');
  });
});
