import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { SessionExpiredError } from '../../src/shared/errors.js';
import {
  CONFIDENTIAL_CLIENT_ID,
  POST_CLIENT_ID,
  PUBLIC_CLIENT_ID,
} from '../support/oauth/oauth-server.js';
import {
  advanceClock,
  causeChain,
  useFakeDate,
  useOAuthServer,
  useSessions,
} from '../support/oauth/session.js';

useFakeDate();
const server = useOAuthServer({ accessTokenLifetimeSeconds: 60 });
const startSession = useSessions();

describe('confidential clients', () => {
  it('clientSecret sent with HTTP Basic (the default): the provider accepts every refresh', async () => {
    const tokens = await server().signIn('alice', CONFIDENTIAL_CLIENT_ID);
    const session = await startSession(server(), {
      tokens,
      refresh: { clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: server().clientSecret },
    });
    for (let lifetime = 1; lifetime <= 2; lifetime++) {
      advanceClock(60_000);
      expect(await session.echo(lifetime)).toBe(lifetime);
    }
    const refreshes = server().callsOf('refresh_token');
    expect(
      refreshes.map(({ status, clientAuthentication }) => [status, clientAuthentication]),
    ).toEqual([
      [200, 'basic'],
      [200, 'basic'],
    ]);
    expect(session.logouts).toEqual([]);
  });

  it("clientAuthentication 'post' for a client registered with client_secret_post", async () => {
    const tokens = await server().signIn('alice', POST_CLIENT_ID);
    const session = await startSession(server(), {
      tokens,
      refresh: {
        clientId: POST_CLIENT_ID,
        clientSecret: server().clientSecret,
        clientAuthentication: 'post',
      },
    });
    advanceClock(60_000);
    expect(await session.echo(1)).toBe(1);
    expect(
      server()
        .callsOf('refresh_token')
        .map(({ status, clientAuthentication }) => [status, clientAuthentication]),
    ).toEqual([[200, 'post']]);
  });

  it('a wrong secret ends the session: invalid_client (HTTP 401), one logout, SessionExpiredError for the operation', async () => {
    const tokens = await server().signIn('alice', CONFIDENTIAL_CLIENT_ID);
    const session = await startSession(server(), {
      tokens,
      refresh: { clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: 'not-the-secret' },
    });
    advanceClock(60_000);
    const error = await session.echo(1).catch((error: unknown) => error);
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(session.logouts).toHaveLength(1);
    expect(session.manager.status).toBe('unauthenticated');
    // The manager's SessionExpiredError, oauth2Refresh's, then the provider's answer.
    expect(causeChain(session.refreshFailures[0]).map((link) => (link as Error).name)).toEqual([
      'SessionExpiredError',
      'SessionExpiredError',
      'OAuthError',
    ]);
    expect(causeChain(error).at(-1)).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(
      server()
        .callsOf('refresh_token')
        .map(({ error }) => error),
    ).toEqual(['invalid_client']);
  });
});

describe('params', () => {
  it('scope and resource reach the token endpoint and shape the new token', async () => {
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens,
      refresh: { params: { scope: 'graphql', resource: server().resource.url } },
    });
    advanceClock(60_000);
    expect(await session.echo(1)).toBe(1);
    const [call] = server().callsOf('refresh_token');
    expect(call).toMatchObject({ status: 200, scope: 'graphql', resource: server().resource.url });
    const accessToken = await session.manager.getAccessToken();
    expect(decodeJwt(accessToken ?? '')).toMatchObject({
      scope: 'graphql',
      aud: server().resource.url,
    });
  });

  it('a resource the grant does not cover is refused by the provider (invalid_target ends the session)', async () => {
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens,
      refresh: { params: { resource: 'https://elsewhere.example.com/api' } },
    });
    advanceClock(60_000);
    const error = await session.echo(1).catch((error: unknown) => error);
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(
      server()
        .callsOf('refresh_token')
        .map(({ error: code, resource }) => [code, resource]),
    ).toEqual([['invalid_target', 'https://elsewhere.example.com/api']]);
    expect(session.logouts).toHaveLength(1);
  });
});

describe('a public client without a refresh token (a cookie flow pointed at a plain endpoint)', () => {
  it('sends no refresh_token field; the provider answers invalid_request, which ends the session', async () => {
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens: { accessToken: tokens.accessToken },
      refresh: { clientId: PUBLIC_CLIENT_ID },
    });
    advanceClock(60_000);
    const error = await session.echo(1).catch((error: unknown) => error);
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(
      server()
        .callsOf('refresh_token')
        .map(({ sentRefreshToken, error: code }) => [sentRefreshToken, code]),
    ).toEqual([[false, 'invalid_request']]);
  });
});
