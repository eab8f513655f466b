import { type Browser, expect, test } from '@playwright/test';
import {
  counters,
  expectLive,
  freshSession,
  login,
  note,
  resetCounters,
  sessionCookies,
  TTL,
  uniqueUser,
} from './helpers';

/** A signed-in browser context of its own (its own cookies), and its user. */
async function signedIn(browser: Browser, name: string) {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  const user = uniqueUser(name);
  await login(page, user);
  return { context, page, user };
}

const textOf = (html: string, testId: string) =>
  html.match(new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`))?.[1];

test('first paint: the server HTML has the user, their data and the right status', async ({
  page,
}) => {
  const user = await freshSession(page, 'paint');
  // The page as the server sends it, before any script runs (the browser's cookies).
  const html = await (await page.request.get('/dashboard')).text();
  expect(textOf(html, 'status')).toBe('authenticated');
  expect(textOf(html, 'header-user')).toBe(user);
  expect(textOf(html, 'me-id')).toBe(user); // useSuspenseQuery, server rendering of a client component
  expect(textOf(html, 'item')).toContain('Item 42'); // PreloadQuery in a server component
  expect(html).not.toContain('loading profile');
  expect(html).not.toContain('loading item');
  // The server used the cookie's token as it was: no refresh, nothing refused.
  const c = await counters();
  expect(c.refreshes).toBe(0);
  expect(c.graphqlRequests).toBe(2);
  expect(c.anonymousRequests + c.rejectedTokens).toBe(0);
});

test("two users' concurrent server renders never cross", async ({ browser }) => {
  const alice = await signedIn(browser, 'alice');
  const bob = await signedIn(browser, 'bob');
  try {
    const rounds = 10;
    let checked = 0;
    for (let round = 0; round < rounds; round++) {
      // Both users' requests in flight together, interleaved.
      const pages = await Promise.all(
        [alice, bob, alice, bob].map(async (who) => ({
          who,
          html: await (await who.context.request.get('/dashboard')).text(),
        })),
      );
      for (const { who, html } of pages) {
        const other = who === alice ? bob : alice;
        expect(textOf(html, 'me-id')).toBe(who.user);
        expect(textOf(html, 'header-user')).toBe(who.user);
        expect(html).not.toContain(other.user);
        checked++;
      }
    }
    note(test.info(), `${checked} concurrent server renders, each with its own user only`);
  } finally {
    await alice.context.close();
    await bob.context.close();
  }
});

test('a reload of a signed-in page costs one refresh, no 401, no anonymous request', async ({
  page,
}) => {
  await freshSession(page, 'reload');
  await page.reload();
  await expectLive(page);
  // Long enough for anything that would still follow the load.
  await page.waitForTimeout(1_000);
  const c = await counters();
  note(
    test.info(),
    `refreshes ${c.refreshes}, refused refreshes ${c.rejectedRefreshes}, anonymous ${c.anonymousRequests}, ` +
      `refused tokens ${c.rejectedTokens}, refused sockets ${c.wsRejected}, GraphQL requests ${c.graphqlRequests}`,
  );
  expect(c.refreshes).toBe(1); // the tab's memory is empty after a reload: one refresh restores it
  expect(c.rejectedRefreshes).toBe(0);
  expect(c.anonymousRequests).toBe(0);
  expect(c.rejectedTokens).toBe(0);
  expect(c.wsRejected).toBe(0);
  await expect(page.getByTestId('event-log')).toContainText('new access token');
});

/**
 * "Hidden" is emulated in two parts, each the real thing where it matters. The page's script is
 * stopped through the DevTools protocol (`Debugger.pause`): no timer or task of it runs, as with
 * a background tab on a sleeping laptop, so no scheduled refresh happens while its token
 * expires. (`Page.setWebLifecycleState` "frozen" did not stop the timers of a page that headless
 * Chromium considers visible: a scheduled refresh still ran.) Headless Chromium keeps every page
 * visible, so `visibilityState` is set by script and the real `visibilitychange` event
 * dispatched on `document`: what the manager listens to.
 */
test('a hidden tab made visible after its token expired refreshes once', async ({ page }) => {
  await login(page, uniqueUser('wake'));
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
      Object.defineProperty(document, 'hidden', {
        configurable: true,
        get: () => value === 'hidden',
      });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  const cdp = await page.context().newCDPSession(page);
  await setVisibility('hidden');
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.pause');
  await resetCounters();
  const { at } = await sessionCookies(page.context());
  const { exp } = JSON.parse(
    Buffer.from(at?.value.split('.')[1] ?? '', 'base64url').toString(),
  ) as {
    exp: number;
  };
  await expect
    .poll(() => Date.now() > exp * 1000 + 500, { timeout: 2 * TTL, intervals: [250] })
    .toBe(true);
  expect((await counters()).refreshes).toBe(0);

  await cdp.send('Debugger.resume');
  await cdp.send('Debugger.disable');
  await setVisibility('visible');
  await expect.poll(async () => (await counters()).refreshes, { timeout: 5_000 }).toBe(1);
  await expectLive(page);
  const c = await counters();
  note(
    test.info(),
    `refreshes ${c.refreshes}, refused tokens ${c.rejectedTokens}, anonymous ${c.anonymousRequests}, refused refreshes ${c.rejectedRefreshes}`,
  );
  expect(c.refreshes).toBe(1);
  expect(c.rejectedRefreshes).toBe(0);
  expect(c.rejectedTokens).toBe(0);
  expect(c.anonymousRequests).toBe(0);
});
