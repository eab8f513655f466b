/**
 * An app's logging link placed after ours prints the operation (people do this to debug; error
 * trackers walk objects the same way). Nothing of ours may sit on the operation where
 * `console.log`, `JSON.stringify`, a spread or a walk of its enumerable keys (symbols included)
 * would find a token: on every path (usable token, held for a refresh, retried after a 401) and
 * in every wiring.
 */
import { inspect } from 'node:util';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { describe, expect, it } from 'vitest';
import { EchoDocument } from '../../fixtures/__generated__/graphql.js';
import { AuthErrorLink } from '../../src/links/auth-error-link.js';
import { AuthLink } from '../../src/links/auth-link.js';
import { createTokenRefreshLink } from '../../src/links/create-token-refresh-link.js';
import { ProactiveRefreshLink } from '../../src/links/proactive-refresh-link.js';
import type { TokenManager } from '../../src/token/manager.js';
import { useHarness } from '../support/harness.js';

/** Apollo Client 4's own enumerable keys of an operation. */
const APOLLO_KEYS = ['extensions', 'operationName', 'operationType', 'query', 'variables'];

/** The operation's own enumerable keys, symbols included: what a tracker's walk reaches. */
const enumerableKeysOf = (operation: ApolloLink.Operation) =>
  Reflect.ownKeys(operation).filter((key) =>
    Object.prototype.propertyIsEnumerable.call(operation, key),
  );

/** Every way an app or a tracker commonly turns an operation into text. */
function printed(operation: ApolloLink.Operation): string[] {
  const enumerableKeys = enumerableKeysOf(operation);
  return [
    inspect(operation, { depth: Infinity }),
    JSON.stringify(operation),
    inspect({ ...operation }, { depth: Infinity }),
    inspect(
      enumerableKeys.map((key) => (operation as unknown as Record<PropertyKey, unknown>)[key]),
      { depth: Infinity },
    ),
  ];
}

const wirings: [string, (manager: TokenManager) => ApolloLink][] = [
  ['createTokenRefreshLink', (manager) => createTokenRefreshLink(manager)],
  [
    'the three links wired separately',
    (manager) =>
      ApolloLink.from([
        new AuthLink(manager),
        new ProactiveRefreshLink(manager),
        new AuthErrorLink(manager),
      ]),
  ],
  [
    "the app's SetContextLink + AuthErrorLink",
    (manager) =>
      ApolloLink.from([
        new SetContextLink(async (context) => ({
          headers: {
            ...context.headers,
            authorization: `Bearer ${await manager.getAccessToken()}`,
          },
        })),
        new AuthErrorLink(manager),
      ]),
  ],
];

describe('a logging link after ours finds no token on the operation', () => {
  const { start } = useHarness();

  for (const [wiring, tokenLinks] of wirings) {
    it(`${wiring}: usable, held and retried operations`, async () => {
      const harness = await start();
      const seen: { keys: PropertyKey[]; texts: string[] }[] = [];
      const logging = new ApolloLink((operation, forward) => {
        seen.push({ keys: enumerableKeysOf(operation), texts: printed(operation) });
        return forward(operation);
      });
      const client = new ApolloClient({
        cache: new InMemoryCache(),
        link: ApolloLink.from([
          tokenLinks(harness.manager),
          logging,
          new HttpLink({ uri: harness.server.url }),
        ]),
      });
      const echo = (value: number) =>
        client.query({ query: EchoDocument, variables: { n: value }, fetchPolicy: 'no-cache' });

      await echo(1); // a usable token
      harness.expireAccessToken();
      await Promise.all([echo(2), echo(3)]); // held while the expired token is refreshed
      harness.server.revokeAccessToken((await harness.manager.getAccessToken()) ?? '');
      await echo(4); // rejected with 401, refreshed, retried
      client.stop();

      const { requestTokens, refreshes } = harness.server.counters;
      expect(refreshes).toBe(2);
      // Every path went through the logging link: 1 + 2 held + 1 rejected + its retry.
      expect(seen).toHaveLength(5);
      const tokens = [...new Set(requestTokens)].filter((token): token is string => !!token);
      expect(tokens.length).toBeGreaterThanOrEqual(3);
      for (const { keys, texts } of seen) {
        expect(keys.map(String).sort()).toEqual(APOLLO_KEYS);
        for (const text of texts) for (const token of tokens) expect(text).not.toContain(token);
      }
    });
  }
});
