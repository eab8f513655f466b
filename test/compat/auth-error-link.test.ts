import { ApolloLink } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthErrorLink, RefreshFailedError } from '../../src/index.js';
import { flushEventLoop } from '../support/flush.js';
import { describeError } from '../support/outcomes.js';
import { issuedIndexes, useEnvironment } from './environment.js';
import { ACCESS_TTL_MS } from './world.js';

const start = useEnvironment();

// An app that sets the header itself and adds only AuthErrorLink: the retry must carry the
// refreshed token, not the one the server just rejected.
describe('AuthErrorLink behind the app’s own auth link (no AuthLink)', () => {
  it('retries with the new token, never the rejected one', async () => {
    const { app, endpoint, stack, leaks } = await start('apollo', 'rotating', {
      // The app sets the header itself, as Apollo's docs show with SetContextLink.
      authLink: (manager) =>
        ApolloLink.from([
          new SetContextLink(async ({ headers }) => ({
            headers: { ...headers, authorization: `Bearer ${await manager.getAccessToken()}` },
          })),
          new AuthErrorLink(manager),
        ]),
    });
    expect(await app.echo(0)).toBe(0);
    const rejected = endpoint.issued.indexOf((await app.manager.getAccessToken()) as string);
    // The server rotates its signing key: the token the client holds is refused from now on.
    endpoint.key.rotate();
    const sentBefore = stack.http.tokens.length;

    const echo = await app.echo(1);

    expect(app.failures.map(describeError)).toEqual([]);
    expect(echo).toBe(1);
    expect(endpoint.stats.refreshes).toBe(1);
    const fresh = endpoint.issued.indexOf((await app.manager.getAccessToken()) as string);
    expect(fresh).not.toBe(rejected);
    expect(issuedIndexes(endpoint.issued, stack.http.tokens.slice(sentBefore))).toEqual([
      rejected,
      fresh,
    ]);
    expect(leaks()).toEqual([]);
  });
});

describe('retry.attempts above Node’s default listener limit', () => {
  const warnings: Error[] = [];
  const record = (warning: Error) => warnings.push(warning);
  afterEach(() => {
    process.off('warning', record);
  });

  it('12 failing attempts print no MaxListenersExceededWarning', async () => {
    process.on('warning', record);
    const { app, world, endpoint, leaks } = await start('apollo', 'rotating', {
      manager: { retry: { attempts: 12, delayMs: () => 0 } },
    });
    endpoint.failRefreshesWith(503);
    world.advance(ACCESS_TTL_MS); // expired: the next operation refreshes first

    expect(await app.echo(1)).toBeUndefined();

    expect(app.failures).toHaveLength(1);
    expect(RefreshFailedError.is(app.failures[0])).toBe(true);
    expect(endpoint.stats.refreshes).toBe(12);
    expect(app.logouts).toHaveLength(0);
    // Node emits its warnings on a later tick.
    await flushEventLoop(1);
    expect(
      warnings
        .filter((warning) => warning.name === 'MaxListenersExceededWarning')
        .map((warning) => warning.message),
    ).toEqual([]);
    expect(leaks()).toEqual([]);
  });
});
