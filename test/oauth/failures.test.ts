import { describe, expect, it } from 'vitest';
import { oauth2Refresh } from '../../src/oauth.js';
import {
  RefreshFailedError,
  SessionExpiredError,
  TokenRefreshError,
} from '../../src/shared/errors.js';
import type { TokenSet } from '../../src/token/types.js';
import { errorPlaces, tokensIn } from '../support/leaks.js';
import { CONFIDENTIAL_CLIENT_ID, PUBLIC_CLIENT_ID } from '../support/oauth/oauth-server.js';
import {
  advanceClock,
  causeChain,
  currentRefreshToken,
  type Session,
  useFakeDate,
  useOAuthServer,
  useSessions,
} from '../support/oauth/session.js';
import type { TokenEndpointFault } from '../support/oauth/token-endpoint-watch.js';

const LIFETIME_MS = 60_000;

useFakeDate();
const server = useOAuthServer({ accessTokenLifetimeSeconds: LIFETIME_MS / 1000 });
const startSession = useSessions();

const signal = () => new AbortController().signal;
const outcomes = (grantType = 'refresh_token') =>
  server()
    .callsOf(grantType)
    .map(({ status, error, fault }) => fault ?? (error ? `${status} ${error}` : status));

describe('the session ends when the provider refuses the refresh token', () => {
  it('a grant revoked through the revocation endpoint: SessionExpiredError, one logout', async () => {
    const session = await startSession(server(), { tokens: await server().signIn('alice') });
    expect(await session.echo(1)).toBe(1);
    await server().revokeGrant(currentRefreshToken(session));
    // A JWT access token is not revoked with its grant: it serves until it expires.
    expect(await session.echo(2)).toBe(2);
    advanceClock(LIFETIME_MS);
    const error = await session.echo(3).catch((error: unknown) => error);
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(causeChain(error).at(-1)).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(session.logouts).toHaveLength(1);
    expect(session.manager.status).toBe('unauthenticated');
    expect(outcomes()).toEqual(['400 invalid_grant']);
  });

  it('reuse detection: a used refresh token presented again fails with invalid_grant and revokes the grant', async () => {
    const tokens = await server().signIn('alice');
    const refresh = oauth2Refresh({
      tokenEndpoint: server().tokenEndpoint,
      clientId: PUBLIC_CLIENT_ID,
    });
    const rotated = await refresh({ refreshToken: tokens.refreshToken, signal: signal() });
    expect(rotated.refreshToken).toEqual(expect.any(String));
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);

    const reused = await refresh({ refreshToken: tokens.refreshToken, signal: signal() }).catch(
      (error: unknown) => error,
    );
    expect(SessionExpiredError.is(reused)).toBe(true);
    // The grant is gone: the newest refresh token, never used, is refused too.
    const newest = await refresh({ refreshToken: rotated.refreshToken, signal: signal() }).catch(
      (error: unknown) => error,
    );
    expect(SessionExpiredError.is(newest)).toBe(true);
    expect(outcomes()).toEqual([200, '400 invalid_grant', '400 invalid_grant']);
  });

  it('a session whose refresh token someone else already used ends at its next refresh, with one logout', async () => {
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), { tokens });
    // A copy of the refresh token, used elsewhere first (a stolen copy, or a second device).
    const thief = oauth2Refresh({
      tokenEndpoint: server().tokenEndpoint,
      clientId: PUBLIC_CLIENT_ID,
    });
    const stolen = await thief({ refreshToken: tokens.refreshToken, signal: signal() });

    advanceClock(LIFETIME_MS);
    const results = await session.burst(5);
    expect(results.ok).toBe(0);
    expect(results.errors.every((error) => SessionExpiredError.is(error))).toBe(true);
    expect(session.logouts).toHaveLength(1);
    // The session's one refresh was the reuse; it revoked the grant, the copy's tokens with it.
    const afterwards = await thief({ refreshToken: stolen.refreshToken, signal: signal() }).catch(
      (error: unknown) => error,
    );
    expect(SessionExpiredError.is(afterwards)).toBe(true);
    expect(outcomes()).toEqual([200, '400 invalid_grant', '400 invalid_grant']);
  });
});

describe('transient failures keep the session', () => {
  it.each<[TokenEndpointFault, string]>([
    ['unavailable', 'OAuthError: Token endpoint answered HTTP 503'],
    [
      'temporarily_unavailable',
      'OAuthError: Token endpoint answered temporarily_unavailable (HTTP 400)',
    ],
    ['drop', 'TypeError: fetch failed'],
  ])('%s: RefreshFailedError, no logout, and the next refresh works', async (fault, cause) => {
    const session = await startSession(server(), { tokens: await server().signIn('alice') });
    server().failNext(1, fault);
    advanceClock(LIFETIME_MS);
    const error = await session.echo(1).catch((error: unknown) => error);
    expect(RefreshFailedError.is(error)).toBe(true);
    // The manager's RefreshFailedError, oauth2Refresh's, then what went wrong.
    const chain = causeChain(error);
    expect(chain.slice(0, 2).map((link) => (link as Error).name)).toEqual([
      'RefreshFailedError',
      'RefreshFailedError',
    ]);
    expect(String(chain[2])).toBe(cause);
    expect(session.logouts).toEqual([]);
    expect(session.manager.status).toBe('authenticated');

    expect(await session.echo(2)).toBe(2);
    expect(outcomes()).toEqual([fault, 200]);
    // The faulted call never reached the provider: the same refresh token was good next time.
    expect(
      server()
        .callsOf('refresh_token')
        .every(({ sentRefreshToken }) => sentRefreshToken),
    ).toBe(true);
  });

  it.each<[TokenEndpointFault, string]>([
    ['no_access_token', 'Token endpoint answer: access_token is missing'],
    ['malformed', 'Token endpoint answer: the answer is not a JSON object'],
  ])(
    'a 2xx answer that is not a token set (%s): RefreshFailedError caused by INVALID_TOKEN_SET',
    async (fault, message) => {
      const session = await startSession(server(), { tokens: await server().signIn('alice') });
      server().failNext(1, fault);
      advanceClock(LIFETIME_MS);
      const error = await session.echo(1).catch((error: unknown) => error);
      expect(RefreshFailedError.is(error)).toBe(true);
      const cause = (error as Error).cause;
      expect(TokenRefreshError.is(cause) && cause.code).toBe('INVALID_TOKEN_SET');
      expect((cause as Error).message).toBe(message);
      expect(session.logouts).toEqual([]);
      expect(await session.echo(2)).toBe(2);
      expect(outcomes()).toEqual([fault, 200]);
    },
  );
});

describe('secrets', () => {
  it('no token and no client secret appears in any error message, through every cause', async () => {
    const errors: unknown[] = [];
    const issued: TokenSet[] = [];
    const sessions: Session[] = [];
    const collect = async (session: Session, count: number) => {
      errors.push(...(await session.burst(count)).errors);
    };

    // A confidential client through every transient fault, then a grant revoked by reuse.
    const confidential = await startSession(server(), {
      tokens: await server().signIn('alice', CONFIDENTIAL_CLIENT_ID),
      refresh: { clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: server().clientSecret },
    });
    sessions.push(confidential);
    for (const fault of [
      'unavailable',
      'temporarily_unavailable',
      'drop',
      'malformed',
      'no_access_token',
    ] as const) {
      server().failNext(1, fault);
      advanceClock(LIFETIME_MS);
      await collect(confidential, 2);
      await collect(confidential, 1); // refreshes for real
    }
    // Then reuse detection ends it (revokeGrant is for the public client's tokens).
    const replay = oauth2Refresh({
      tokenEndpoint: server().tokenEndpoint,
      clientId: CONFIDENTIAL_CLIENT_ID,
      clientSecret: server().clientSecret,
    });
    const firstRefreshToken = confidential.tokenEvents[0]?.refreshToken;
    errors.push(
      await replay({ refreshToken: firstRefreshToken, signal: signal() }).catch(
        (error: unknown) => error,
      ),
    );
    advanceClock(LIFETIME_MS);
    await collect(confidential, 3);

    // A wrong secret.
    const wrongSecret = 'wrong-secret-0123456789';
    const misconfigured = await startSession(server(), {
      tokens: await server().signIn('bob', CONFIDENTIAL_CLIENT_ID),
      refresh: { clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: wrongSecret },
    });
    sessions.push(misconfigured);
    advanceClock(LIFETIME_MS);
    await collect(misconfigured, 3);

    expect([confidential.logouts.length, misconfigured.logouts.length]).toEqual([1, 1]);
    for (const session of sessions) {
      errors.push(...session.refreshFailures);
      issued.push(...session.tokenEvents);
    }
    const secrets = [
      server().clientSecret,
      wrongSecret,
      ...issued.flatMap(({ accessToken, refreshToken }) => [accessToken, refreshToken ?? '']),
    ].filter((secret) => secret !== '');
    expect(new Set(secrets).size).toBeGreaterThan(10);
    // Every scenario failed somewhere, so there was something to read.
    expect(errors.length).toBeGreaterThanOrEqual(20);
    // Failures carry their causes: the scan reads more than the errors themselves.
    expect(errors.flatMap(causeChain).length).toBeGreaterThan(errors.length);
    expect(tokensIn(secrets, errorPlaces('error', errors))).toEqual([]);
  });
});
