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
    const harness = await start();
    const old = await currentToken(harness);
    harness.server.resetCounters();
    harness.expireAccessToken();
    const { ok, errors } = await burst(harness, 500);
    expect(errors).toEqual([]);
    expect(ok).toBe(500);
    const counters = harness.server.counters;
    expect(counters.refreshes).toBe(1);
    expect(counters.requests + counters.refreshes).toBe(501);
    expect(counters.requestTokens.filter((token) => token === old)).toHaveLength(0);
    expect(new Set(counters.requestTokens)).toEqual(new Set([await currentToken(harness)]));
    expect(counters.unauthorized).toBe(0);
  });

  it('a token expiring during a stream of 200 queries (10 at a time): 0 errors, 0 × 401', async () => {
    const harness = await start();
    harness.server.resetCounters();
    const errors: unknown[] = [];
    // 20 batches, 7 s apart: 140 s of clock, so the 60 s token expires twice mid-stream.
    for (let batch = 0; batch < 20; batch++) {
      const settled = await burst(harness, 10, batch * 10);
      errors.push(...settled.errors);
      harness.clock.now += 7_000;
    }
    expect(errors).toEqual([]);
    const counters = harness.server.counters;
    expect(counters.requests).toBe(200);
    expect(counters.unauthorized).toBe(0);
    expect(counters.refreshes).toBe(2); // at ~55 s and ~111 s of clock
  });

  it('server revokes an unexpired token, 500 concurrent: exactly 1 refresh, 1,001 requests, 0 errors (3 runs)', async () => {
    const harness = await start();
    const seen: number[][] = [];
    for (let run = 0; run < 3; run++) {
      harness.server.revokeAccessToken(await currentToken(harness));
      harness.server.resetCounters();
      const { ok, errors } = await burst(harness, 500, run * 1000);
      const counters = harness.server.counters;
      seen.push([counters.refreshes, counters.requests, counters.unauthorized, errors.length]);
      expect(ok).toBe(500);
    }
    // [refreshes, GraphQL requests, 401s, errors] per run: 1 refresh + 1,000 GraphQL = 1,001.
    expect(seen).toEqual(Array(3).fill([1, 1000, 500, 0]));
  });

  it('single-use refresh tokens, 50 concurrent (expired, then revoked): 0 errors, no reuse', async () => {
    const harness = await start({ server: { rotateRefreshTokens: true } });
    harness.server.resetCounters();
    harness.expireAccessToken();
    const afterExpiry = await burst(harness, 50);
    harness.server.revokeAccessToken(await currentToken(harness));
    const afterRevocation = await burst(harness, 50, 50);
    expect([...afterExpiry.errors, ...afterRevocation.errors]).toEqual([]);
    expect(harness.server.counters.refreshes).toBe(2);
    expect(harness.server.counters.reuseDetections).toBe(0);
  });

  it('refresh answers 401: every operation fails with SESSION_EXPIRED, logout once, 1 refresh', async () => {
    const harness = await start();
    harness.server.knobs.refresh = '401';
    harness.expireAccessToken();
    harness.server.resetCounters();
    const { ok, errors } = await burst(harness, 20);
    expect(ok).toBe(0);
    expect(errors.every((error) => SessionExpiredError.is(error))).toBe(true);
    // Apollo delivers our error itself (not wrapped), registered as a link error.
    expect(
      errors.every((error) => LinkError.is(error) && error instanceof SessionExpiredError),
    ).toBe(true);
    expect(errors.map((error) => (error as { code?: unknown }).code)).toEqual(
      Array(20).fill('SESSION_EXPIRED'),
    );
    expect(harness.events.logout).toBe(1);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.server.counters.requests).toBe(0);
    expect(harness.manager.status).toBe('unauthenticated');
  });

  it('refresh answers 401 after the server rejected the token: SESSION_EXPIRED for all (reactive)', async () => {
    const harness = await start();
    harness.server.knobs.refresh = '401';
    harness.server.revokeAccessToken(await currentToken(harness));
    harness.server.resetCounters();
    const { errors } = await burst(harness, 20);
    expect(errors.filter((error) => SessionExpiredError.is(error))).toHaveLength(20);
    expect(harness.events.logout).toBe(1);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.server.counters.requests).toBe(20);
  });

  for (const mode of ['500', 'hang', 'malformed'] as RefreshMode[]) {
    it(`refresh ${mode}: REFRESH_FAILED, session kept, the next operation recovers`, async () => {
      const harness = await start({ manager: { refreshTimeoutMs: 200 } });
      harness.server.knobs.refresh = mode;
      harness.expireAccessToken();
      harness.server.resetCounters();
      const { errors } = await burst(harness, 20);
      expect(errors).toHaveLength(20);
      expect(errors.every((error) => RefreshFailedError.is(error))).toBe(true);
      expect(harness.events.logout).toBe(0);
      expect(harness.manager.status).not.toBe('unauthenticated');
      expect(harness.server.counters.requests).toBe(0);
      harness.server.knobs.refresh = 'ok';
      expect(await harness.echo(1)).toBe(1);
      expect(harness.server.counters.requests).toBe(1);
    });
  }

  it('a server that rejects every token: each operation sent at most twice, then fails', async () => {
    const harness = await start();
    harness.server.knobs.rejectAllTokens = true;
    harness.server.resetCounters();
    const { ok, errors } = await burst(harness, 20);
    expect(ok).toBe(0);
    // The second UNAUTHENTICATED result reaches the app as Apollo reports it.
    expect(errors.every((error) => CombinedGraphQLErrors.is(error))).toBe(true);
    expect(harness.server.counters.requests).toBe(40);
    expect(harness.server.counters.refreshes).toBe(1);
  });

  for (const form of [
    '200',
    '401-json',
    '401-graphql-response',
    '401-without-code',
  ] as UnauthenticatedForm[]) {
    it(`recovers from the "${form}" unauthenticated form`, async () => {
      const harness = await start({ server: { unauthenticatedAs: form } });
      harness.server.revokeAccessToken(await currentToken(harness));
      harness.server.resetCounters();
      expect(await harness.echo(5)).toBe(5);
      expect(harness.server.counters).toMatchObject({ requests: 2, unauthorized: 1, refreshes: 1 });
      // With rejection on, the final failure shows each form's Apollo error type.
      harness.server.knobs.rejectAllTokens = true;
      const error = await harness.echo(6).catch((error: unknown) => error);
      expect(form === '401-json' ? ServerError.is(error) : CombinedGraphQLErrors.is(error)).toBe(
        true,
      );
    });
  }

  it('unsubscribing while held: the server never sees the operation', async () => {
    const harness = await start({ server: { refreshLatencyMs: 100 } });
    harness.expireAccessToken();
    harness.server.resetCounters();
    const started = untilRefreshing(harness);
    const first = harness.echo(1); // its expired token starts the refresh
    await started;
    const refreshing = harness.manager.refresh();
    let delivered = false;
    const watching = harness.client
      .watchQuery({ query: EchoDocument, variables: { n: 999 }, fetchPolicy: 'no-cache' })
      .subscribe((result) => {
        delivered ||= result.data !== undefined;
      });
    await flushEventLoop(); // let the operation reach the queue
    watching.unsubscribe();
    await refreshing;
    expect(await first).toBe(1);
    expect(await harness.echo(2)).toBe(2);
    expect(delivered).toBe(false);
    expect(harness.server.counters.requestVariables.map((variables) => variables.n)).toEqual([
      1, 2,
    ]);
  });

  it('logout while operations are held: SESSION_EXPIRED, never sent', async () => {
    const harness = await start({ server: { refreshLatencyMs: 100 } });
    harness.server.resetCounters();
    const started = untilRefreshing(harness);
    const refreshing = harness.manager.refresh().catch((error: unknown) => error);
    await started;
    const held = burst(harness, 10);
    await flushEventLoop();
    await harness.manager.logout('user signed out');
    const { errors } = await held;
    expect(errors.filter((error) => SessionExpiredError.is(error))).toHaveLength(10);
    expect(harness.server.counters.requests).toBe(0);
    expect(SessionExpiredError.is(await refreshing)).toBe(true);
    expect(harness.events.logout).toBe(1);
  });

  it('skip context: sent without a header, even while a refresh hangs', async () => {
    const harness = await start({ manager: { refreshTimeoutMs: 200 } });
    harness.server.knobs.refresh = 'hang';
    harness.server.resetCounters();
    const started = untilRefreshing(harness);
    const hanging = harness.manager.refresh().catch((error: unknown) => error);
    await started;
    const { data } = await harness.client.query({
      query: PublicEchoDocument,
      variables: { n: 3 },
      fetchPolicy: 'no-cache',
      context: { tokenRefresh: { skip: true } },
    });
    expect(data).toEqual({ echo: 3 });
    expect(harness.server.counters.requestTokens).toEqual([null]);
    expect(RefreshFailedError.is(await hanging)).toBe(true);
  });

  it('a mutation with an expired token is sent once, after the refresh', async () => {
    const harness = await start();
    harness.expireAccessToken();
    harness.server.resetCounters();
    const { data } = await harness.client.mutate({
      mutation: RenameDocument,
      variables: { name: 'Ada' },
    });
    expect(data).toEqual({ rename: { __typename: 'User', id: 'alice', name: 'Ada' } });
    expect(harness.server.counters).toMatchObject({ requests: 1, refreshes: 1, unauthorized: 0 });
  });

  it('a logged-out user: operations go without a header', async () => {
    const harness = await start({ login: false });
    const { data } = await harness.client.query({
      query: PublicEchoDocument,
      variables: { n: 4 },
      fetchPolicy: 'no-cache',
    });
    expect(data).toEqual({ echo: 4 });
    // A private operation is rejected: sent without a session, its error reaches the app as the
    // server gave it, and nothing calls refresh.
    const error = await harness.echo(5).catch((error: unknown) => error);
    expect(TokenRefreshError.is(error)).toBe(false);
    expect(isUnauthenticated(error)).toBe(true);
    expect(harness.server.counters.requestTokens).toEqual([null, null]);
    expect(harness.server.counters.refreshes).toBe(0);
  });

  it('errorPolicy "all": the typed error is result.error', async () => {
    const harness = await start();
    harness.server.knobs.refresh = '500';
    harness.expireAccessToken();
    const result = await harness.client.query({
      query: EchoDocument,
      variables: { n: 1 },
      fetchPolicy: 'no-cache',
      errorPolicy: 'all',
    });
    expect(RefreshFailedError.is(result.error)).toBe(true);
    expect(result.error && 'code' in result.error && result.error.code).toBe('REFRESH_FAILED');
  });
});
