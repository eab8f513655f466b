import { expect, type Page, type Response, test } from '@playwright/test';
import { attackerPages, startAttacker } from './attacker';
import {
  api,
  counters,
  expectLive,
  login,
  note,
  resetCounters,
  sessionCookies,
  shown,
  uniqueUser,
} from './helpers';

test('cookie flags: httpOnly, SameSite=Strict, the refresh token only for /api/auth, both end with the session', async ({
  page,
}) => {
  await login(page, uniqueUser('flags'));
  const { rt, at } = await sessionCookies(page.context());
  const sessionEnd = Date.now() / 1000 + 86_400;
  for (const cookie of [rt, at]) {
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    // Max-Age = what is left of the session (1 day after sign-in), not renewed by refreshes.
    expect(cookie?.expires).toBeGreaterThan(sessionEnd - 60);
    expect(cookie?.expires).toBeLessThanOrEqual(sessionEnd + 1);
  }
  expect(rt?.path).toBe('/api/auth');
  expect(at?.path).toBe('/');
});

test('the refresh token is never readable by page script, nor in any page, payload or response body', async ({
  page,
}) => {
  const bodies: string[] = [];
  const collect = async (response: Response) => {
    const body = await response.text().catch(() => '');
    bodies.push(body);
  };
  page.on('response', (response) => void collect(response));
  await login(page, uniqueUser('leak'));
  await page.reload();
  await expectLive(page);
  const { rt, at } = await sessionCookies(page.context());
  const refreshToken = rt?.value ?? 'missing';
  expect(refreshToken.length).toBeGreaterThan(20);

  const seenByScript = await page.evaluate(() => ({
    cookie: document.cookie,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    html: document.documentElement.outerHTML,
  }));
  expect(seenByScript.cookie).toBe('');
  expect(seenByScript.local).toBe('{}'); // the access token is not stored either: memory only
  expect(seenByScript.session).toBe('{}');
  // The server's HTML and the RSC payload of a client-side navigation.
  const html = await (await page.request.get('/dashboard')).text();
  const rsc = await (await page.request.get('/dashboard', { headers: { RSC: '1' } })).text();
  expect(rsc.length).toBeGreaterThan(100);
  for (const text of [seenByScript.html, html, rsc, ...bodies])
    expect(text).not.toContain(refreshToken);
  // The access token of the cookie is not in the page either (the server hands it to its own
  // rendering encrypted).
  for (const text of [seenByScript.html, html, rsc])
    expect(text).not.toContain(at?.value ?? 'missing');
  note(test.info(), `${bodies.length} response bodies, the HTML and the RSC payload checked`);
});

test('CSRF from another origin is refused: the victim stays signed in as themselves', async ({
  context,
  baseURL,
}) => {
  const victim = uniqueUser('victim');
  const signIn = await context.newPage();
  await login(signIn, victim);
  // Closed, so that no scheduled refresh changes the cookies while the attacks run.
  await signIn.close();
  const target = baseURL ?? '';
  const attacker = await startAttacker(attackerPages(target, api()));
  try {
    const before = await sessionCookies(context);
    await resetCounters();
    const evil = await context.newPage();
    for (const path of ['/login-form', '/logout-form', '/refresh-form']) {
      const answer = evil.waitForResponse((r) => r.url().startsWith(`${target}/api/auth/`));
      await evil.goto(`${attacker.origin}${path}`);
      expect((await answer).status(), path).toBe(403);
    }
    for (const path of ['/fetches', '/fetches-api-port']) {
      await evil.goto(`${attacker.origin}${path}`);
      await expect(evil).toHaveTitle('done');
    }
    await evil.close();

    const c = await counters();
    note(test.info(), `${c.refusedAuthRequests} forged requests refused`);
    expect(c.refusedAuthRequests).toBe(9);
    expect(c.logins + c.logouts + c.refreshes + c.rejectedRefreshes).toBe(0);
    // No cookie was set or cleared.
    expect(await sessionCookies(context)).toEqual(before);
    // The victim's next page load refreshes with the victim's own cookie and acts as the victim.
    const page = await context.newPage();
    await page.goto('/dashboard');
    await expectLive(page);
    await expect(page.getByTestId('header-user')).toHaveText(victim);
    await page.getByPlaceholder('New display name').fill('Renamed by the victim');
    await page.getByRole('button', { name: 'Rename' }).click();
    await expect(shown(page, 'me-name')).toHaveText('Renamed by the victim');
    await expect(shown(page, 'me-id')).toHaveText(victim);
  } finally {
    await attacker.close();
  }
});

test('login CSRF on a browser with no session does not sign it in', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  const attacker = await startAttacker(attackerPages(baseURL ?? '', api()));
  try {
    const page: Page = await context.newPage();
    await page.goto(`${attacker.origin}/login-form`);
    await page.waitForURL(`${baseURL}/api/auth/login`);
    expect(await context.cookies()).toEqual([]);
    await page.goto('/dashboard');
    await page.waitForURL('**/login');
  } finally {
    await attacker.close();
    await context.close();
  }
});
