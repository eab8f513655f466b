import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { createAuth } from '../server/auth';
import { api } from './helpers';

/** The API server's `/api/auth/*` as a request from anywhere but our page would reach it. */
async function post(path: string, headers: Record<string, string>, body = '{}') {
  const res = await fetch(`${api()}/api/auth/${path}`, { method: 'POST', headers, body });
  return { status: res.status, setCookie: res.headers.getSetCookie() };
}

test('/api/auth/* refuses what no page of ours sends, before reading it, with no Set-Cookie', async ({
  baseURL,
}) => {
  const ours = baseURL ?? '';
  const json = { 'content-type': 'application/json' };
  const login = JSON.stringify({ username: 'mallory', password: 'demo' });
  const cases: [string, Record<string, string>, number][] = [
    ['login', { ...json }, 403], // no Origin
    ['login', { ...json, origin: 'http://127.0.0.1:1' }, 403],
    ['login', { ...json, origin: ours, 'sec-fetch-site': 'cross-site' }, 403],
    ['login', { ...json, origin: ours, 'sec-fetch-site': 'same-site' }, 403],
    ['login', { origin: ours, 'content-type': 'text/plain' }, 415],
    ['login', { origin: ours, 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['refresh', { origin: 'http://127.0.0.1:1', ...json, cookie: 'rt=x; at=y' }, 403],
    ['logout', { origin: 'http://127.0.0.1:1', ...json, cookie: 'rt=x; at=y' }, 403],
  ];
  for (const [path, headers, status] of cases) {
    const answer = await post(path, headers, login);
    expect(answer.status, `${path} ${JSON.stringify(headers)}`).toBe(status);
    expect(answer.setCookie).toEqual([]);
  }
});

test('a request that carried no session cookie never gets cookies cleared', async ({ baseURL }) => {
  const headers = { origin: baseURL ?? '', 'content-type': 'application/json' };
  const refresh = await post('refresh', headers);
  expect(refresh.status).toBe(401);
  expect(refresh.setCookie).toEqual([]);
  const logout = await post('logout', headers);
  expect(logout.status).toBe(204);
  expect(logout.setCookie).toEqual([]);
  // With a (stale) cookie, the answer does clear it.
  const stale = await post('refresh', { ...headers, cookie: 'rt=stale' });
  expect(stale.status).toBe(401);
  expect(stale.setCookie.join()).toContain('rt=; Path=/api/auth; Max-Age=0');
});

test('ended and revoked sessions are dropped from memory, with every refresh token they remember', async () => {
  let now = 1_000_000;
  const auth = createAuth({
    accessTtlMs: 10_000,
    sessionTtlMs: 60_000,
    reuseGraceMs: 0,
    secret: randomBytes(32),
    now: () => now,
  });
  const a = await auth.login('a');
  let b = await auth.login('b');
  for (let i = 0; i < 5; i++) b = (await auth.refresh(b.refreshToken)) ?? b;
  expect(auth.sizes()).toEqual({ sessions: 2, refreshTokens: 2 + 5 });
  // Logout revokes server-side: the session and its tokens are gone at once.
  expect(auth.logout(a.refreshToken)).toBe(true);
  expect(auth.sizes()).toEqual({ sessions: 1, refreshTokens: 6 });
  expect(await auth.refresh(a.refreshToken)).toBeNull();
  // Before its end a session stays; after it, pruning drops it.
  now += 59_000;
  expect(auth.prune()).toBe(0);
  now += 1_000;
  expect(await auth.refresh(b.refreshToken)).toBeNull(); // ended: refused even before pruning
  expect(auth.prune()).toBe(1);
  expect(auth.sizes()).toEqual({ sessions: 0, refreshTokens: 0 });
});

test('a long session remembers a bounded number of used refresh tokens', async () => {
  const auth = createAuth({
    accessTtlMs: 10_000,
    sessionTtlMs: 86_400_000,
    reuseGraceMs: 0,
    secret: randomBytes(32),
  });
  let issued = await auth.login('long');
  const first = issued.refreshToken;
  for (let i = 0; i < 150; i++) issued = (await auth.refresh(issued.refreshToken)) ?? issued;
  expect(auth.sizes().refreshTokens).toBeLessThanOrEqual(102);
  // A token too old to be remembered is refused without ending the session.
  expect(await auth.refresh(first)).toBeNull();
  expect(await auth.refresh(issued.refreshToken)).not.toBeNull();
});
