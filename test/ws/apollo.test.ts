import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { split } from '@apollo/client/link';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { describe, expect, it } from 'vitest';
import { EchoDocument, TicksDocument } from '../../fixtures/__generated__/graphql.js';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { condition } from '../support/wait.js';
import { useWsHarness } from '../support/ws-harness.js';

const { start } = useWsHarness();

describe('createAuthWsClient with ApolloClient and split', () => {
  it('queries and a subscription share one manager and one refresh; logout ends the subscription', async () => {
    let clock = Date.now();
    const now = () => clock;
    const harness = await start({ server: { now } });
    const link = split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
      },
      new GraphQLWsLink(harness.client),
      ApolloLink.from([
        createTokenRefreshLink(harness.manager),
        new HttpLink({ uri: harness.server.url }),
      ]),
    );
    const apollo = new ApolloClient({ link, cache: new InMemoryCache() });

    const changes = condition();
    const ticks: number[] = [];
    const errors: unknown[] = [];
    const subscription = apollo
      .subscribe({ query: TicksDocument, variables: { intervalMs: 10 } })
      .subscribe({
        next: (result) => {
          if (result.error) errors.push(result.error);
          else if (result.data) ticks.push(result.data.ticks);
          changes.poke();
        },
        error: (error) => {
          errors.push(error);
          changes.poke();
        },
      });
    const more = (count: number) => {
      const target = ticks.length + count;
      return changes.until(() => ticks.length >= target, `${count} more ticks`);
    };
    await more(2);

    clock += 45_000; // the 60 s token is now expiring (30 s margin), yet still valid at the server
    const results = await Promise.all(
      [1, 2, 3].map((value) =>
        apollo.query({ query: EchoDocument, variables: { n: value }, fetchPolicy: 'no-cache' }),
      ),
    );
    expect(results.map((result) => result.data?.echo)).toEqual([1, 2, 3]);
    await harness.untilConnected(2);
    await more(2);

    const fresh = harness.tokens[1];
    expect(harness.tokens).toHaveLength(2);
    expect(harness.server.counters.refreshes).toBe(1);
    // Compared by index so a failure never prints a token.
    expect(
      harness.server.counters.requestTokens.map((token) => harness.tokens.indexOf(token as string)),
    ).toEqual([1, 1, 1]);
    expect(harness.server.counters.wsConnections).toEqual([
      { token: harness.session.accessToken, accepted: true },
      { token: fresh, accepted: true },
    ]);
    expect(errors).toEqual([]);

    await harness.manager.logout();
    await changes.until(() => errors.length > 0, 'the subscription error');
    expect(SessionExpiredError.is(errors[0])).toBe(true);
    await harness.untilClosed(2);
    expect(harness.server.counters.wsConnections).toHaveLength(2);
    subscription.unsubscribe();
    apollo.stop();
  });
});
