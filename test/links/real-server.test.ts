import { CombinedGraphQLErrors, LinkError, ServerError } from '@apollo/client/errors';
import { describe, expect, it } from 'vitest';
import {
  EchoDocument,
  PublicEchoDocument,
  RenameDocument,
} from '../../fixtures/__generated__/graphql.js';
import type { RefreshMode, UnauthenticatedForm } from '../../fixtures/server/types.js';
import { isUnauthenticated } from '../../src/links/is-auth-error.js';
import {
  RefreshFailedError,
  SessionExpiredError,
  TokenRefreshError,
} from '../../src/shared/errors.js';
import { flushEventLoop } from '../support/flush.js';
import { burst, currentToken, untilRefreshing, useHarness } from '../support/harness.js';

const { start } = useHarness();

describe('links against the real server', () => {
  it('expired token, 500 concurrent: 1 refresh, no request with the old token, 500 successes', async () => {
    const h = await start();
    const old = await currentToken(h);
    h.server.resetCounters();
    h.expireAccessToken();
    const { ok, errors } = await burst(h, 500);
    expect(errors).toEqual([]);
    expect(ok).toBe(500);
    const c = h.server.counters;
    expect(c.refreshes).toBe(1);
    expect(c.requests + c.refreshes).toBe(501);
    expect(c.requestTokens.filter((t) => t === old)).toHaveLength(0);
    expect(new Set(c.requestTokens)).toEqual(new Set([await currentToken(h)]));
    expect(c.unauthorized).toBe(0);
  });

  it('a token expiring during a stream of 200 queries (10 at a time): 0 errors, 0 × 401', async () => {
    const h = await start();
    h.server.resetCounters();
    const errors: unknown[] = [];
    // 20 batches, 7 s apart: 140 s of clock, so the 60 s token expires twice mid-stream.
    for (let b = 0; b < 20; b++) {
      const r = await burst(h, 10, b * 10);
      errors.push(...r.errors);
      h.clock.now += 7_000;
    }
    expect(errors).toEqual([]);
    const c = h.server.counters;
    expect(c.requests).toBe(200);
    expect(c.unauthorized).toBe(0);
    expect(c.refreshes).toBe(2); // at ~55 s and ~111 s of clock
  });

  it('server revokes an unexpired token, 500 concurrent: exactly 1 refresh, 1,001 requests, 0 errors (3 runs)', async () => {
    const h = await start();
    const seen: number[][] = [];
    for (let run = 0; run < 3; run++) {
      h.server.revokeAccessToken(await currentToken(h));
      h.server.resetCounters();
      const { ok, errors } = await burst(h, 500, run * 1000);
      const c = h.server.counters;
      seen.push([c.refreshes, c.requests, c.unauthorized, errors.length]);
      expect(ok).toBe(500);
    }
    // [refreshes, GraphQL requests, 401s, errors] per run: 1 refresh + 1,000 GraphQL = 1,001.
    expect(seen).toEqual(Array(3).fill([1, 1000, 500, 0]));
  });

  it('single-use refresh tokens, 50 concurrent (expired, then revoked): 0 errors, no reuse', async () => {
    const h = await start({ server: { rotateRefreshTokens: true } });
    h.server.resetCounters();
    h.expireAccessToken();
    const a = await burst(h, 50);
    h.server.revokeAccessToken(await currentToken(h));
    const b = await burst(h, 50, 50);
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect(h.server.counters.refreshes).toBe(2);
    expect(h.server.counters.reuseDetections).toBe(0);
  });

  it('refresh answers 401: every operation fails with SESSION_EXPIRED, logout once, 1 refresh', async () => {
    const h = await start();
    h.server.knobs.refresh = '401';
    h.expireAccessToken();
    h.server.resetCounters();
    const { ok, errors } = await burst(h, 20);
    expect(ok).toBe(0);
    expect(errors.every((e) => SessionExpiredError.is(e))).toBe(true);
    // Apollo delivers our error itself (not wrapped), registered as a link error.
    expect(errors.every((e) => LinkError.is(e) && e instanceof SessionExpiredError)).toBe(true);
    expect(errors.map((e) => (e as { code?: unknown }).code)).toEqual(
      Array(20).fill('SESSION_EXPIRED'),
    );
    expect(h.events.logout).toBe(1);
    expect(h.server.counters.refreshes).toBe(1);
    expect(h.server.counters.requests).toBe(0);
    expect(h.manager.status).toBe('unauthenticated');
  });

  it('refresh answers 401 after the server rejected the token: SESSION_EXPIRED for all (reactive)', async () => {
    const h = await start();
    h.server.knobs.refresh = '401';
    h.server.revokeAccessToken(await currentToken(h));
    h.server.resetCounters();
    const { errors } = await burst(h, 20);
    expect(errors.filter((e) => SessionExpiredError.is(e))).toHaveLength(20);
    expect(h.events.logout).toBe(1);
    expect(h.server.counters.refreshes).toBe(1);
    expect(h.server.counters.requests).toBe(20);
  });

  for (const mode of ['500', 'hang', 'malformed'] as RefreshMode[]) {
    it(`refresh ${mode}: REFRESH_FAILED, session kept, the next operation recovers`, async () => {
      const h = await start({ manager: { refreshTimeoutMs: 200 } });
      h.server.knobs.refresh = mode;
      h.expireAccessToken();
      h.server.resetCounters();
      const { errors } = await burst(h, 20);
      expect(errors).toHaveLength(20);
      expect(errors.every((e) => RefreshFailedError.is(e))).toBe(true);
      expect(h.events.logout).toBe(0);
      expect(h.manager.status).not.toBe('unauthenticated');
      expect(h.server.counters.requests).toBe(0);
      h.server.knobs.refresh = 'ok';
      expect(await h.echo(1)).toBe(1);
      expect(h.server.counters.requests).toBe(1);
    });
  }

  it('a server that rejects every token: each operation sent at most twice, then fails', async () => {
    const h = await start();
    h.server.knobs.rejectAllTokens = true;
    h.server.resetCounters();
    const { ok, errors } = await burst(h, 20);
    expect(ok).toBe(0);
    // The second UNAUTHENTICATED result reaches the app as Apollo reports it.
    expect(errors.every((e) => CombinedGraphQLErrors.is(e))).toBe(true);
    expect(h.server.counters.requests).toBe(40);
    expect(h.server.counters.refreshes).toBe(1);
  });

  for (const form of [
    '200',
    '401-json',
    '401-graphql-response',
    '401-without-code',
  ] as UnauthenticatedForm[]) {
    it(`recovers from the "${form}" unauthenticated form`, async () => {
      const h = await start({ server: { unauthenticatedAs: form } });
      h.server.revokeAccessToken(await currentToken(h));
      h.server.resetCounters();
      expect(await h.echo(5)).toBe(5);
      expect(h.server.counters).toMatchObject({ requests: 2, unauthorized: 1, refreshes: 1 });
      // With rejection on, the final failure shows each form's Apollo error type.
      h.server.knobs.rejectAllTokens = true;
      const err = await h.echo(6).catch((e: unknown) => e);
      expect(form === '401-json' ? ServerError.is(err) : CombinedGraphQLErrors.is(err)).toBe(true);
    });
  }

  it('unsubscribing while held: the server never sees the operation', async () => {
    const h = await start({ server: { refreshLatencyMs: 100 } });
    h.expireAccessToken();
    h.server.resetCounters();
    const started = untilRefreshing(h);
    const first = h.echo(1); // its expired token starts the refresh
    await started;
    const refreshing = h.manager.refresh();
    let delivered = false;
    const sub = h.client
      .watchQuery({ query: EchoDocument, variables: { n: 999 }, fetchPolicy: 'no-cache' })
      .subscribe((r) => {
        delivered ||= r.data !== undefined;
      });
    await flushEventLoop(); // let the operation reach the queue
    sub.unsubscribe();
    await refreshing;
    expect(await first).toBe(1);
    expect(await h.echo(2)).toBe(2);
    expect(delivered).toBe(false);
    expect(h.server.counters.requestVariables.map((v) => v.n)).toEqual([1, 2]);
  });

  it('logout while operations are held: SESSION_EXPIRED, never sent', async () => {
    const h = await start({ server: { refreshLatencyMs: 100 } });
    h.server.resetCounters();
    const started = untilRefreshing(h);
    const refreshing = h.manager.refresh().catch((e: unknown) => e);
    await started;
    const ops = burst(h, 10);
    await flushEventLoop();
    await h.manager.logout('user signed out');
    const { errors } = await ops;
    expect(errors.filter((e) => SessionExpiredError.is(e))).toHaveLength(10);
    expect(h.server.counters.requests).toBe(0);
    expect(SessionExpiredError.is(await refreshing)).toBe(true);
    expect(h.events.logout).toBe(1);
  });

  it('skip context: sent without a header, even while a refresh hangs', async () => {
    const h = await start({ manager: { refreshTimeoutMs: 200 } });
    h.server.knobs.refresh = 'hang';
    h.server.resetCounters();
    const started = untilRefreshing(h);
    const hanging = h.manager.refresh().catch((e: unknown) => e);
    await started;
    const { data } = await h.client.query({
      query: PublicEchoDocument,
      variables: { n: 3 },
      fetchPolicy: 'no-cache',
      context: { tokenRefresh: { skip: true } },
    });
    expect(data).toEqual({ echo: 3 });
    expect(h.server.counters.requestTokens).toEqual([null]);
    expect(RefreshFailedError.is(await hanging)).toBe(true);
  });

  it('a mutation with an expired token is sent once, after the refresh', async () => {
    const h = await start();
    h.expireAccessToken();
    h.server.resetCounters();
    const { data } = await h.client.mutate({
      mutation: RenameDocument,
      variables: { name: 'Ada' },
    });
    expect(data).toEqual({ rename: { __typename: 'User', id: 'alice', name: 'Ada' } });
    expect(h.server.counters).toMatchObject({ requests: 1, refreshes: 1, unauthorized: 0 });
  });

  it('a logged-out user: operations go without a header', async () => {
    const h = await start({ login: false });
    const { data } = await h.client.query({
      query: PublicEchoDocument,
      variables: { n: 4 },
      fetchPolicy: 'no-cache',
    });
    expect(data).toEqual({ echo: 4 });
    // A private operation is rejected: sent without a session, its error reaches the app as the
    // server gave it, and nothing calls refresh.
    const err = await h.echo(5).catch((e: unknown) => e);
    expect(TokenRefreshError.is(err)).toBe(false);
    expect(isUnauthenticated(err)).toBe(true);
    expect(h.server.counters.requestTokens).toEqual([null, null]);
    expect(h.server.counters.refreshes).toBe(0);
  });

  it('errorPolicy "all": the typed error is result.error', async () => {
    const h = await start();
    h.server.knobs.refresh = '500';
    h.expireAccessToken();
    const result = await h.client.query({
      query: EchoDocument,
      variables: { n: 1 },
      fetchPolicy: 'no-cache',
      errorPolicy: 'all',
    });
    expect(RefreshFailedError.is(result.error)).toBe(true);
    expect(result.error && 'code' in result.error && result.error.code).toBe('REFRESH_FAILED');
  });
});
