import { describe, expect, it, vi } from 'vitest';
import { oauth2Refresh } from '../../src/oauth.js';
import { RefreshFailedError, TokenRefreshError } from '../../src/shared/errors.js';
import { PUBLIC_CLIENT_ID } from '../support/oauth/oauth-server.js';
import {
  advanceClock,
  useFakeDate,
  useOAuthServer,
  useSessions,
} from '../support/oauth/session.js';

useFakeDate();
const server = useOAuthServer({ accessTokenLifetimeSeconds: 60 });
const startSession = useSessions();

const DISCOVERY_PATH = '/.well-known/openid-configuration';

/** The real `fetch`, recording each URL; the first `failures` discovery requests reject. */
function recordingFetch(failures = 0) {
  const urls: string[] = [];
  let failuresLeft = failures;
  const fetch = vi.fn<typeof globalThis.fetch>(async (input, init) => {
    const url = String(input);
    urls.push(url);
    if (url.endsWith(DISCOVERY_PATH) && failuresLeft > 0) {
      failuresLeft--;
      throw new TypeError('fetch failed');
    }
    return globalThis.fetch(input, init);
  });
  return { fetch, urls, discoveries: () => urls.filter((url) => url.endsWith(DISCOVERY_PATH)) };
}

const signal = () => new AbortController().signal;

describe('issuer: the token endpoint found through OpenID Connect Discovery', () => {
  it('reads the configuration once, at the first refresh, and refreshes through it', async () => {
    const recorder = recordingFetch();
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens,
      refresh: { issuer: server().issuer, fetch: recorder.fetch },
    });
    expect(await session.echo(1)).toBe(1);
    expect(recorder.urls).toEqual([]); // nothing before a refresh is needed
    for (let lifetime = 1; lifetime <= 3; lifetime++) {
      advanceClock(60_000);
      expect(await session.echo(lifetime)).toBe(lifetime);
    }
    expect(recorder.discoveries()).toEqual([`${server().issuer}${DISCOVERY_PATH}`]);
    expect(recorder.urls.filter((url) => url === server().tokenEndpoint)).toHaveLength(3);
    expect(
      server()
        .callsOf('refresh_token')
        .map(({ status }) => status),
    ).toEqual([200, 200, 200]);
    expect(session.logouts).toEqual([]);
  });

  it('concurrent first refreshes share one discovery; a trailing slash on the issuer is fine', async () => {
    const recorder = recordingFetch();
    const refresh = oauth2Refresh({
      issuer: `${server().issuer}/`,
      clientId: PUBLIC_CLIENT_ID,
      fetch: recorder.fetch,
    });
    const [alice, bob] = [await server().signIn('alice'), await server().signIn('bob')];
    const results = await Promise.all([
      refresh({ refreshToken: alice.refreshToken, signal: signal() }),
      refresh({ refreshToken: bob.refreshToken, signal: signal() }),
    ]);
    expect(results.map(({ accessToken }) => typeof accessToken)).toEqual(['string', 'string']);
    expect(recorder.discoveries()).toHaveLength(1);
  });

  it('a failed discovery is transient and not kept: the next refresh discovers again and succeeds', async () => {
    const recorder = recordingFetch(1);
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens,
      refresh: { issuer: server().issuer, fetch: recorder.fetch },
    });
    advanceClock(60_000);
    const error = await session.echo(1).catch((error: unknown) => error);
    expect(RefreshFailedError.is(error)).toBe(true);
    const ours = (error as Error).cause as Error;
    expect(RefreshFailedError.is(ours)).toBe(true);
    expect(ours.message).toBe('OpenID discovery of the token endpoint failed; session kept');
    expect(session.manager.status).toBe('authenticated');
    expect(server().callsOf('refresh_token')).toEqual([]);

    expect(await session.echo(2)).toBe(2);
    expect(recorder.discoveries()).toHaveLength(2);
    expect(session.logouts).toEqual([]);
  });

  it('a document naming another issuer fails clearly, never reaches the token endpoint, keeps the session', async () => {
    // The same provider under another name of this machine: its document says 127.0.0.1.
    const elsewhere = server().issuer.replace('127.0.0.1', 'localhost');
    const tokens = await server().signIn('alice');
    const session = await startSession(server(), {
      tokens,
      refresh: { issuer: elsewhere },
    });
    advanceClock(60_000);
    const error = await session.echo(1).catch((error: unknown) => error);
    expect(RefreshFailedError.is(error)).toBe(true);
    const cause = (error as Error).cause;
    expect(TokenRefreshError.is(cause) && cause.code).toBe('INVALID_OPTION');
    expect((cause as Error).message).toBe(
      'Option issuer: the OpenID configuration found there is unusable: its issuer is not the configured issuer',
    );
    expect(server().callsOf('refresh_token')).toEqual([]);
    expect(session.logouts).toEqual([]);
  });

  it('a token_endpoint over plain http to another host is refused', async () => {
    const issuer = 'https://id.example.com';
    const fetch = vi.fn<typeof globalThis.fetch>(
      async () =>
        new Response(JSON.stringify({ issuer, token_endpoint: 'http://id.example.com/token' })),
    );
    const refresh = oauth2Refresh({ issuer, clientId: PUBLIC_CLIENT_ID, fetch });
    const error = await refresh({ refreshToken: 'r1', signal: signal() }).catch(
      (error: unknown) => error,
    );
    expect(TokenRefreshError.is(error) && error.code).toBe('INVALID_OPTION');
    expect((error as Error).message).toContain(
      'its token_endpoint is not an https URL (http only on a loopback host)',
    );
    expect(fetch).toHaveBeenCalledTimes(1); // the discovery only: no refresh token sent
  });
});
