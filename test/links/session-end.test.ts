/**
 * A session that has ended stays ended: once the refresh token is rejected, nothing calls
 * `refresh` again, operations still in flight end with `SessionExpiredError`, and Apollo's
 * `RetryLink`, wired as the docs show (before or after the token links), neither refreshes again
 * nor floods the server with anonymous requests. Against the real test server over HTTP.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { RetryLink } from '@apollo/client/link/retry';
import { describe, expect, it } from 'vitest';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { isUnauthenticated } from '../../src/links/is-auth-error.js';
import { SessionExpiredError, TokenRefreshError } from '../../src/shared/errors.js';
import { deferred } from '../support/deferred.js';
import { type Harness, settleAll, useHarness } from '../support/harness.js';

/** The `RetryLink` of the docs: network failures only, never an answer of the auth layer. */
const retryLink = () =>
  new RetryLink({
    delay: { initial: 1, max: 1, jitter: false },
    attempts: {
      max: 5,
      retryIf: (error, operation) =>
        !TokenRefreshError.is(error) && !isUnauthenticated(error, operation),
    },
  });

/** A client over `links`, whose HTTP answers can be held back (see `holdAnswers`). */
function clientOf(harness: Harness, links: (httpLink: HttpLink) => ApolloLink[]) {
  let held: { from: number; until: Promise<unknown> } | undefined;
  const httpLink = new HttpLink({
    uri: harness.server.url,
    // Real requests to the real server; only the delivery of their answers can be held back.
    fetch: async (input, init) => {
      const { variables } = JSON.parse(String(init?.body)) as { variables: { n: number } };
      const answer = await fetch(input, init);
      if (held && variables.n >= held.from) await held.until;
      return answer;
    },
  });
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from(links(httpLink)),
  });
  const echo = (value: number) =>
    client.query({ query: EchoDocument, variables: { n: value }, fetchPolicy: 'no-cache' });
  return {
    echo,
    /** Answers to `echo(n)` with `n >= from` reach the client only once `until` settles. */
    holdAnswers(from: number, until: Promise<unknown>) {
      held = { from, until };
    },
    stop: () => client.stop(),
  };
}

const anonymousRequests = (harness: Harness) =>
  harness.server.counters.requestTokens.filter((token) => token === null).length;

describe('a session that has ended stays ended', () => {
  const { start } = useHarness();

  it('ten operations in flight when the refresh token is rejected: one refresh call, one logout', async () => {
    const harness = await start();
    const app = clientOf(harness, (httpLink) => [
      createTokenRefreshLink(harness.manager),
      httpLink,
    ]);
    const rejected = await harness.manager.getAccessToken();
    harness.server.revokeAccessToken(rejected ?? '');
    harness.server.knobs.refresh = '401';
    const loggedOut = deferred<void>();
    harness.manager.on('logout', () => loggedOut.resolve());
    // The first answer arrives at once and ends the session; the nine others only after that.
    app.holdAnswers(1, loggedOut.promise);
    const { ok, errors } = await settleAll(Array.from({ length: 10 }, (_, n) => app.echo(n)));
    app.stop();
    expect(ok).toBe(0);
    expect(errors.every((error) => SessionExpiredError.is(error))).toBe(true);
    expect(harness.server.counters.refreshes).toBe(1);
    expect(harness.events).toEqual({ logout: 1, refreshFailed: 1 });
    expect(harness.server.counters.requestTokens).toEqual(Array(10).fill(rejected));
  });

  it('after the session ended, an operation goes out without a token and its 401 is not refreshed', async () => {
    const harness = await start();
    const app = clientOf(harness, (httpLink) => [
      createTokenRefreshLink(harness.manager),
      httpLink,
    ]);
    await harness.manager.logout();
    harness.server.resetCounters();
    const { errors } = await settleAll([app.echo(1), app.echo(2)]);
    app.stop();
    expect(errors.map((error) => isUnauthenticated(error))).toEqual([true, true]);
    expect(harness.server.counters.refreshes).toBe(0);
    expect(harness.server.counters.requestTokens).toEqual([null, null]);
  });

  for (const order of ['before', 'after'] as const) {
    describe(`RetryLink ${order} the token links, as the docs wire it`, () => {
      const wire = (harness: Harness) =>
        clientOf(harness, (httpLink) =>
          order === 'before'
            ? [retryLink(), createTokenRefreshLink(harness.manager), httpLink]
            : [createTokenRefreshLink(harness.manager), retryLink(), httpLink],
        );

      it('an expired token: one refresh, no 401, nothing fails', async () => {
        const harness = await start();
        const app = wire(harness);
        harness.expireAccessToken();
        const { ok } = await settleAll(Array.from({ length: 5 }, (_, n) => app.echo(n)));
        app.stop();
        expect(ok).toBe(5);
        expect(harness.server.counters.refreshes).toBe(1);
        expect(harness.server.counters.unauthorized).toBe(0);
      });

      it('a token revoked by the server: one refresh, each operation retried once', async () => {
        const harness = await start();
        const app = wire(harness);
        harness.server.revokeAccessToken((await harness.manager.getAccessToken()) ?? '');
        const { ok } = await settleAll(Array.from({ length: 5 }, (_, n) => app.echo(n)));
        app.stop();
        expect(ok).toBe(5);
        expect(harness.server.counters.refreshes).toBe(1);
        expect(harness.server.counters.requests).toBe(10);
      });

      it('the refresh token rejected: one refresh call, then none, and no anonymous requests', async () => {
        const harness = await start();
        const app = wire(harness);
        harness.server.revokeAccessToken((await harness.manager.getAccessToken()) ?? '');
        harness.server.knobs.refresh = '401';
        const { errors } = await settleAll(Array.from({ length: 5 }, (_, n) => app.echo(n)));
        // The app carries on after the logout: its next operations are anonymous, not refreshed.
        const afterwards = await settleAll([app.echo(10), app.echo(11)]);
        app.stop();
        expect(errors).toHaveLength(5);
        expect(errors.every((error) => SessionExpiredError.is(error))).toBe(true);
        expect(afterwards.errors.map((error) => isUnauthenticated(error))).toEqual([true, true]);
        expect(harness.server.counters.refreshes).toBe(1);
        expect(harness.events).toEqual({ logout: 1, refreshFailed: 1 });
        expect(anonymousRequests(harness)).toBe(2);
      });
    });
  }
});
