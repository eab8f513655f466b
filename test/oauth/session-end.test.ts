/**
 * A session that ended stays ended, over HTTP against the real provider: after the grant is
 * revoked, the one refresh that learns it is the last call to the token endpoint, and nothing
 * turns the operations still in flight into more refreshes or anonymous requests.
 */
import { RetryLink } from '@apollo/client/link/retry';
import { describe, expect, it } from 'vitest';
import { isUnauthenticated } from '../../src/links/is-auth-error.js';
import { SessionExpiredError, TokenRefreshError } from '../../src/shared/errors.js';
import {
  advanceClock,
  currentRefreshToken,
  type Session,
  useFakeDate,
  useOAuthServer,
  useSessions,
} from '../support/oauth/session.js';

const LIFETIME_MS = 60_000;
const IN_FLIGHT = 10;

useFakeDate();
const server = useOAuthServer({ accessTokenLifetimeSeconds: LIFETIME_MS / 1000 });
const startSession = useSessions();

/**
 * `IN_FLIGHT` operations reach the resource server and wait there; meanwhile an administrator
 * revokes the grant and the access token expires; then each comes back 401: the first at once,
 * the others only after its refresh ended the session (the later answers of a busy API).
 * Resolves with every operation's error (or `undefined` for one that succeeded).
 */
async function revokeWhileInFlight(session: Session): Promise<unknown[]> {
  expect(await session.echo(0)).toBe(0);
  const { resource } = server();
  resource.hold();
  const operations = Array.from({ length: IN_FLIGHT }, (_, index) =>
    session.echo(index + 1).then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  await resource.whenHeld(IN_FLIGHT);
  await server().revokeGrant(currentRefreshToken(session));
  // JWT access tokens outlive their grant until they expire: the held ones are verified late.
  advanceClock(LIFETIME_MS);
  const sessionEnded = new Promise<void>((resolve) => {
    session.manager.on('logout', () => resolve());
  });
  await resource.releaseHeld(() => sessionEnded);
  return Promise.all(operations);
}

const refreshCalls = () => server().callsOf('refresh_token');
const anonymousRequests = () =>
  server().resource.requests.filter(({ token }) => token === null).length;

describe('the grant is revoked while operations are in flight', () => {
  it('ten operations come back 401 one by one: one refresh call, one logout, all SessionExpiredError', async () => {
    const session = await startSession(server(), { tokens: await server().signIn('alice') });
    const errors = await revokeWhileInFlight(session);

    expect(
      server()
        .resource.requests.slice(1, 1 + IN_FLIGHT)
        .map(({ status }) => status),
    ).toEqual(Array(IN_FLIGHT).fill(401));
    // Soft: a failure lists every expectation missed, not only the first.
    expect.soft(refreshCalls().map(({ error }) => error)).toEqual(['invalid_grant']);
    expect.soft(session.logouts).toHaveLength(1);
    expect
      .soft(errors.map((error) => SessionExpiredError.is(error)))
      .toEqual(Array(IN_FLIGHT).fill(true));
  });

  it("Apollo's RetryLink in front, as the docs compose it: no further refresh call, no storm of anonymous requests", async () => {
    const retryLink = new RetryLink({
      delay: { initial: 10, max: 50, jitter: false },
      attempts: {
        max: 5,
        retryIf: (error, operation) =>
          !TokenRefreshError.is(error) && !isUnauthenticated(error, operation),
      },
    });
    const session = await startSession(server(), {
      tokens: await server().signIn('alice'),
      linksBefore: [retryLink],
    });
    await revokeWhileInFlight(session);
    // Soft: a failure lists every expectation missed, not only the first.
    expect.soft(refreshCalls()).toHaveLength(1);
    expect.soft(session.logouts).toHaveLength(1);

    // The app goes on asking after the session ended (a poll, a screen still mounted).
    const later = await session.burst(IN_FLIGHT);
    expect.soft(later.ok).toBe(0);
    expect.soft(refreshCalls()).toHaveLength(1);
    // Each operation went out without a token at most once: RetryLink resent none of them.
    expect.soft(anonymousRequests()).toBeLessThanOrEqual(IN_FLIGHT);
  });
});
