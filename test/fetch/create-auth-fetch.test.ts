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

const echoUrl = (harness: Harness) => `${harness.server.origin}/rest/echo`;
const publicUrl = (harness: Harness) => `${harness.server.origin}/rest/public`;

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

/**
 * A harness whose refreshes call the server's `/refresh` only while the gate is open: `close()`
 * holds every refresh from then on, `open()` lets them go.
 */
async function gatedHarness() {
  let gate = deferred<void>();
  let harness: Harness | undefined;
  const refresh: RefreshFunction = async (context) => {
    await gate.promise;
    if (!harness) throw new Error('harness not started');
    return httpRefresh(harness.server.refreshUrl)(context);
  };
  harness = await start({ manager: { refresh } });
  gate.resolve(); // open until a test closes it
  return {
    harness,
    close: () => {
      gate = deferred<void>();
    },
    open: () => gate.resolve(),
  };
}

describe('the header', () => {
  it('carries the current token', async () => {
    const harness = await start();
    const authFetch = createAuthFetch(harness.manager);
    const echo = await json(await authFetch(echoUrl(harness)));
    expect(echo.user).toBe('alice');
    expect(harness.server.counters.restRequests).toEqual([
      { method: 'GET', token: await currentToken(harness), body: '' },
    ]);
  });

  it('is absent when nobody is signed in, and the request is sent as built', async () => {
    const harness = await start({ login: false });
    const authFetch = createAuthFetch(harness.manager);
    const echo = await json(
      await authFetch(publicUrl(harness), {
        method: 'POST',
        body: 'hi',
        headers: { 'x-app': '1' },
      }),
    );
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers['x-app']).toBe('1');
    expect(echo.body).toBe('hi');
    expect(harness.server.counters.refreshes).toBe(0);
  });

  it('replaces an auth header of the caller, keeps the others, also from a Request', async () => {
    const harness = await start();
    const authFetch = createAuthFetch(harness.manager);
    const headers = { authorization: 'Bearer stale', 'x-app': '1' };
    const fromInit = await json(await authFetch(publicUrl(harness), { headers }));
    const fromRequest = await json(await authFetch(new Request(publicUrl(harness), { headers })));
    for (const echo of [fromInit, fromRequest]) {
      expect(echo.headers.authorization).toBe(`Bearer ${await currentToken(harness)}`);
      expect(echo.headers['x-app']).toBe('1');
    }
  });

  it('follows the header, format and fetch options', async () => {
    const harness = await start();
    const receivers: unknown[] = [];
    const authFetch = createAuthFetch(harness.manager, {
      header: 'x-access-token',
      format: (token) => `Token ${token}`,
      // Browsers throw "Illegal invocation" when their fetch is called on another object.
      fetch: function (this: unknown, input, init) {
        receivers.push(this);
        return fetch(input, init);
      },
    });
    const echo = await json(await authFetch(publicUrl(harness)));
    expect(echo.headers['x-access-token']).toBe(`Token ${await currentToken(harness)}`);
    expect(echo.headers.authorization).toBeUndefined();
    expect(receivers).toEqual([undefined]);
  });
});

describe('one session for REST and GraphQL', () => {
  it('an expired token: REST calls and GraphQL operations together wait for one refresh', async () => {
    const harness = await start();
    const old = await currentToken(harness);
    harness.server.resetCounters();
    harness.expireAccessToken();
    const authFetch = createAuthFetch(harness.manager);

    const calls = Array.from({ length: 20 }, (_, index) =>
      index % 2
        ? authFetch(echoUrl(harness), { method: 'POST', body: `rest ${index}` }).then(json)
        : harness.echo(index),
    );
    const results = await Promise.all(calls);

    const fresh = await currentToken(harness);
    expect(fresh).not.toBe(old);
    const counters = harness.server.counters;
    expect(counters.refreshes).toBe(1);
    expect(counters.requestTokens).toEqual(Array(10).fill(fresh));
    expect(counters.restRequests.map((request) => request.token)).toEqual(Array(10).fill(fresh));
    expect(counters.unauthorized).toBe(0);
    expect(results.filter((result) => typeof result === 'number')).toHaveLength(10);
  });

  it('a REST call arriving during a refresh waits for it and never sends the old token', async () => {
    const gate = await gatedHarness();
    const { harness } = gate;
    const old = await currentToken(harness);
    harness.server.resetCounters();
    gate.close();
    const refreshing = untilRefreshing(harness);
    const refreshed = harness.manager.refresh();
    await refreshing;
    const call = createAuthFetch(harness.manager)(echoUrl(harness));
    // Let the call run as far as it can: it must be waiting, not on the wire.
    await flushEventLoop(1);
    expect(harness.server.counters.restRequests).toEqual([]);
    gate.open();
    await refreshed;
    await json(await call);
    const [request] = harness.server.counters.restRequests;
    expect(request?.token).toBe(await currentToken(harness));
    expect(request?.token).not.toBe(old);
  });
});

describe('a rejected token', () => {
  it('one refresh for every request rejected with it, one retry each, bodies sent again intact', async () => {
    const harness = await start();
    const old = await currentToken(harness);
    harness.server.revokeAccessToken(old);
    harness.server.resetCounters();
    const authFetch = createAuthFetch(harness.manager);
    const url = echoUrl(harness);
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
      harness.echo(7),
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

    const fresh = await currentToken(harness);
    const counters = harness.server.counters;
    expect(counters.refreshes).toBe(1);
    const tokens = counters.restRequests.map((request) => request.token);
    expect(tokens.filter((token) => token === old)).toHaveLength(8);
    expect(tokens.filter((token) => token === fresh)).toHaveLength(8);
    expect(counters.requestTokens).toEqual([old, fresh]);
  });

  it('nobody signed in: a 401 is returned as it came, and nothing calls refresh', async () => {
    const refresh = vi.fn<RefreshFunction>();
    const harness = await start({ login: false, manager: { refresh } });
    const response = await createAuthFetch(harness.manager)(echoUrl(harness));
    expect(response.status).toBe(401);
    expect(refresh).not.toHaveBeenCalled();
    expect(harness.server.counters.restRequests.map((request) => request.token)).toEqual([null]);
  });

  it('a cookie flow with restoreSession: the first request restores the session, no anonymous request', async () => {
    const seen: (string | undefined)[] = [];
    let harness: Harness | undefined;
    harness = await start({
      login: false,
      manager: {
        restoreSession: true,
        // As a cookie flow would: the refresh endpoint knows the session, the page does not.
        refresh: async ({ refreshToken }) => {
          seen.push(refreshToken);
          if (!harness) throw new Error('harness not started');
          return harness.server.login();
        },
      },
    });
    const echo = await json(await createAuthFetch(harness.manager)(echoUrl(harness)));
    expect(echo.user).toBe('alice');
    expect(seen).toEqual([undefined]);
    expect(harness.server.counters.restRequests.map((request) => request.token)).toEqual([
      await currentToken(harness),
    ]);
  });

  it('uses globalThis.fetch as it is at call time by default', async () => {
    const harness = await start();
    const authFetch = createAuthFetch(harness.manager);
    const original = globalThis.fetch;
    const urls: string[] = [];
    globalThis.fetch = (input, init) => {
      urls.push(String(input));
      return original(input, init);
    };
    try {
      await json(await authFetch(echoUrl(harness)));
    } finally {
      globalThis.fetch = original;
    }
    expect(urls).toEqual([echoUrl(harness)]);
  });

  it('a second rejection is returned as it is: no second refresh, no loop', async () => {
    const harness = await start();
    harness.server.resetCounters();
    harness.server.knobs.rejectAllTokens = true;
    const response = await createAuthFetch(harness.manager)(echoUrl(harness), {
      method: 'POST',
      body: 'x',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: 'unauthorized' });
    expect(harness.server.counters.restRequests).toHaveLength(2);
    expect(harness.server.counters.refreshes).toBe(1);
  });

  it('a one-shot stream body is not retried: the 401 comes back, nothing refreshed', async () => {
    const harness = await start();
    harness.server.revokeAccessToken(await currentToken(harness));
    harness.server.resetCounters();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    // `duplex` is required by Node's fetch for a stream body; DOM typings lack it.
    const init = { method: 'POST', body, duplex: 'half' } as RequestInit;
    const response = await createAuthFetch(harness.manager)(echoUrl(harness), init);
    expect(response.status).toBe(401);
    expect(harness.server.counters.restRequests).toEqual([
      expect.objectContaining({ body: 'streamed' }),
    ]);
    expect(harness.server.counters.refreshes).toBe(0);
  });

  it('isAuthError decides what counts as rejected', async () => {
    const harness = await start();
    harness.server.revokeAccessToken(await currentToken(harness));
    harness.server.resetCounters();
    const seen: number[] = [];
    const authFetch = createAuthFetch(harness.manager, {
      isAuthError: (response) => {
        seen.push(response.status);
        return false;
      },
    });
    expect((await authFetch(echoUrl(harness))).status).toBe(401);
    expect(seen).toEqual([401]);
    expect(harness.server.counters.refreshes).toBe(0);
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
      const harness = await start();
      const old = await currentToken(harness);
      harness.server.revokeAccessToken(old);
      harness.server.knobs.refresh = mode;
      const error = await createAuthFetch(harness.manager)(echoUrl(harness)).catch(
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(type);
      expect(harness.manager.status).toBe(status);
      // Everything a logger could print of it: messages, stacks, own properties, causes.
      expect(tokensIn([old], errorPlaces('the rejection', [error]))).toEqual([]);
    },
  );
});

describe('abort', () => {
  it('aborts the wait for a refresh: rejected at once, nothing sent, the refresh goes on', async () => {
    const gate = await gatedHarness();
    const { harness } = gate;
    harness.server.resetCounters();
    harness.expireAccessToken();
    gate.close();
    const authFetch = createAuthFetch(harness.manager);
    const controller = new AbortController();
    const refreshing = untilRefreshing(harness);
    const aborted = authFetch(echoUrl(harness), { signal: controller.signal });
    const other = authFetch(echoUrl(harness));
    await refreshing;
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(harness.server.counters.restRequests).toEqual([]);

    gate.open();
    await json(await other);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.server.counters.restRequests).toHaveLength(1);
  });

  it("a Request's own signal aborts the wait too", async () => {
    const gate = await gatedHarness();
    const { harness } = gate;
    harness.expireAccessToken();
    gate.close();
    const controller = new AbortController();
    const reason = new Error('user left the page');
    const call = createAuthFetch(harness.manager)(
      new Request(echoUrl(harness), { signal: controller.signal }),
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    gate.open();
  });

  it('aborts the wait for the refresh after a 401', async () => {
    const gate = await gatedHarness();
    const { harness } = gate;
    harness.server.revokeAccessToken(await currentToken(harness));
    harness.server.resetCounters();
    gate.close();
    const controller = new AbortController();
    const refreshing = untilRefreshing(harness);
    const call = createAuthFetch(harness.manager)(echoUrl(harness), { signal: controller.signal });
    await refreshing; // the 401 came back and the refresh started
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(harness.server.counters.restRequests).toHaveLength(1);
    gate.open();
  });

  it('an already aborted signal rejects without asking for a token', async () => {
    const harness = await start();
    harness.server.resetCounters();
    harness.expireAccessToken();
    const call = createAuthFetch(harness.manager)(echoUrl(harness), {
      signal: AbortSignal.abort(),
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(harness.server.counters.restRequests).toEqual([]);
    expect(harness.manager.status).toBe('authenticated'); // no refresh started for it
    expect(harness.server.counters.refreshes).toBe(0);
  });

  it('leaves no listener on a long-lived signal', async () => {
    const harness = await start();
    const controller = new AbortController();
    // Node's own fetch keeps a listener per request until garbage collection: count only ours.
    const authFetch = createAuthFetch(harness.manager, {
      fetch: (input, init) => fetch(input, { ...init, signal: null }),
    });
    for (let call = 0; call < 20; call++) {
      await (await authFetch(echoUrl(harness), { signal: controller.signal })).text();
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
    const harness = await start();
    let error: unknown;
    try {
      createAuthFetch(harness.manager, options as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(TokenRefreshError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_OPTION' });
    expect((error as Error).message).toContain(`Option ${name} `);
    // String values are never shown: they could be tokens.
    expect((error as Error).message).not.toContain('example.com');
  });
});
