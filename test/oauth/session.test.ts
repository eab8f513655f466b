import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { oauth2Refresh } from '../../src/oauth.js';
import { SessionExpiredError } from '../../src/shared/errors.js';
import { PUBLIC_CLIENT_ID } from '../support/oauth/oauth-server.js';
import {
  advanceClock,
  T0,
  useFakeDate,
  useOAuthServer,
  useSessions,
} from '../support/oauth/session.js';

const LIFETIME_SECONDS = 120;

useFakeDate();
const server = useOAuthServer({ accessTokenLifetimeSeconds: LIFETIME_SECONDS });
const startSession = useSessions();

/** A GraphQL request with `token`, straight to the resource server: its HTTP status. */
async function statusWith(url: string, token: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ echo(n: 1) }' }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('the fake clock drives the provider and the resource server', () => {
  it('tokens are issued on the fake clock and expire on it: 200, then 401 past the lifetime', async () => {
    const tokens = await server().signIn('alice');
    const { iat, exp, aud, sub } = decodeJwt(tokens.accessToken);
    expect(iat).toBe(T0 / 1000);
    expect(exp).toBe(T0 / 1000 + LIFETIME_SECONDS);
    expect([aud, sub]).toEqual([server().resource.url, 'alice']);
    expect(tokens.expiresAt).toBe(T0 + LIFETIME_SECONDS * 1000);

    const { url } = server().resource;
    expect(await statusWith(url, tokens.accessToken)).toBe(200);
    advanceClock(LIFETIME_SECONDS * 1000 - 1_000);
    expect(await statusWith(url, tokens.accessToken)).toBe(200);
    advanceClock(2_000);
    expect(await statusWith(url, tokens.accessToken)).toBe(401);
  });

  it('the provider expires refresh tokens on the fake clock too', async () => {
    const tokens = await server().signIn('alice');
    const refresh = oauth2Refresh({
      tokenEndpoint: server().tokenEndpoint,
      clientId: PUBLIC_CLIENT_ID,
    });
    const signal = new AbortController().signal;
    advanceClock(13 * 24 * 3600 * 1000); // within the 14 days
    const next = await refresh({ refreshToken: tokens.refreshToken, signal });
    expect(next.accessToken).not.toBe(tokens.accessToken);
    advanceClock(2 * 24 * 3600 * 1000); // past them, counted from the sign-in
    const error = await refresh({ refreshToken: next.refreshToken, signal }).catch(
      (failure) => failure,
    );
    expect(SessionExpiredError.is(error)).toBe(true);
    expect(error.cause).toMatchObject({ name: 'OAuthError', status: 400, error: 'invalid_grant' });
  });
});

describe('a session kept alive by oauth2Refresh', () => {
  it('bursts of queries over three access token lifetimes: 0 errors, 0 logouts, one rotating refresh per lifetime', async () => {
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens,
      // A token is refreshed in its last 10 s: every 110 s of this test's 10 s steps.
      manager: { refreshBeforeExpiryMs: 10_000 },
    });
    const stepMs = 10_000;
    const steps = (3 * LIFETIME_SECONDS * 1000) / stepMs; // 36 steps of clock: 360 s
    const errors: unknown[] = [];
    for (let step = 0; step <= steps; step++) {
      if (step > 0) advanceClock(stepMs);
      const burst = await session.burst(5);
      errors.push(...burst.errors);
    }

    expect(errors).toEqual([]);
    expect(session.logouts).toEqual([]);
    expect(session.refreshFailures).toEqual([]);
    const refreshes = server().callsOf('refresh_token');
    // At 110 s, 220 s and 330 s: one per lifetime.
    expect(refreshes.map(({ status }) => status)).toEqual([200, 200, 200]);
    expect(refreshes.every(({ sentRefreshToken }) => sentRefreshToken)).toBe(true);
    // Every refresh rotated the refresh token: four different ones, the sign-in's and three.
    const refreshTokens = session.tokenEvents.map(({ refreshToken }) => refreshToken);
    expect(refreshTokens).toHaveLength(4);
    expect(new Set(refreshTokens).size).toBe(4);
    // Every request carried a token the resource server accepted: none was sent expired.
    const { requests } = server().resource;
    expect(requests).toHaveLength((steps + 1) * 5);
    expect(requests.filter(({ status }) => status !== 200)).toEqual([]);
    expect(new Set(requests.map(({ token }) => token)).size).toBe(4);
  });
});
