import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { split } from '@apollo/client/link';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenRefreshLink } from '../../src/links/create.js';
import { SessionExpiredError } from '../../src/token/errors.js';
import { condition, setup } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

const TICKS = gql`
  subscription Ticks {
    ticks(intervalMs: 10)
  }
`;
const ECHO = gql`
  query Echo($n: Int!) {
    echo(n: $n)
  }
`;

describe('createAuthWsClient with ApolloClient and split', () => {
  it('queries and a subscription share one manager and one refresh; logout ends the subscription', async () => {
    let t = Date.now();
    const now = () => t;
    const e = await setup({ server: { now } });
    env = e;
    const link = split(
      ({ query }) => {
        const d = getMainDefinition(query);
        return d.kind === 'OperationDefinition' && d.operation === 'subscription';
      },
      new GraphQLWsLink(e.client),
      ApolloLink.from([createTokenRefreshLink(e.manager), new HttpLink({ uri: e.server.url })]),
    );
    const apollo = new ApolloClient({ link, cache: new InMemoryCache() });

    const c = condition();
    const ticks: number[] = [];
    const errors: unknown[] = [];
    const sub = apollo.subscribe<{ ticks: number }>({ query: TICKS }).subscribe({
      next: (r) => {
        if (r.error) errors.push(r.error);
        else if (r.data) ticks.push(r.data.ticks);
        c.poke();
      },
      error: (err) => {
        errors.push(err);
        c.poke();
      },
    });
    const more = (n: number) => {
      const target = ticks.length + n;
      return c.until(() => ticks.length >= target, `${n} more ticks`);
    };
    await more(2);

    t += 45_000; // the 60 s token is now expiring (30 s margin), yet still valid at the server
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        apollo.query<{ echo: number }>({ query: ECHO, variables: { n }, fetchPolicy: 'no-cache' }),
      ),
    );
    expect(results.map((r) => r.data?.echo)).toEqual([1, 2, 3]);
    await e.untilConnected(2);
    await more(2);

    const fresh = e.tokens[1];
    expect(e.tokens).toHaveLength(2);
    expect(e.server.counters.refreshes).toBe(1);
    // Compared by index so a failure never prints a token.
    expect(e.server.counters.requestTokens.map((x) => e.tokens.indexOf(x as string))).toEqual([
      1, 1, 1,
    ]);
    expect(e.server.counters.wsConnections).toEqual([
      { token: e.session.accessToken, accepted: true },
      { token: fresh, accepted: true },
    ]);
    expect(errors).toEqual([]);

    await e.manager.logout();
    await c.until(() => errors.length > 0, 'the subscription error');
    expect(SessionExpiredError.is(errors[0])).toBe(true);
    await e.untilClosed(2);
    expect(e.server.counters.wsConnections).toHaveLength(2);
    sub.unsubscribe();
    apollo.stop();
  });
});
