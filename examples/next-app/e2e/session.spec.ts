import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import {
  AHEAD,
  api,
  type Counters,
  counters,
  expectLive,
  freshSession,
  gaps,
  login,
  note,
  resetCounters,
  revokeUser,
  sessionCookies,
  shown,
  stay,
  TTL,
  twoTabs,
  uniqueUser,
} from './helpers';

const artifacts = join(import.meta.dirname, 'artifacts');

// The JWT `exp` has second precision, so a token lives between TTL - 1 s and TTL; the app
// refreshes AHEAD of that. One refresh per lifetime means consecutive refreshes are at least
// (most of) one refresh period apart and never further apart than a lifetime.
const PERIOD_MIN = TTL - 1_000 - AHEAD;
const expectOneRefreshPerLifetime = (times: number[]) => {
  for (const gap of gaps(times)) {
    expect(gap, 'two refreshes within one token lifetime').toBeGreaterThan(PERIOD_MIN * 0.6);
    expect(gap, 'the token lapsed before it was refreshed').toBeLessThan(TTL);
  }
};

/**
 * Staying `elapsed` ms: one refresh per lifetime (at least `lifetimes` of them), and not one
 * refresh token reused, presented twice within the grace window, rejected, nor a request
 * the server refused (proactive refresh: no token goes out after it lapsed).
 */
const expectCleanRefreshes = (c: Counters, elapsed: number, lifetimes: number) => {
  expect(c.refreshes).toBeGreaterThanOrEqual(lifetimes);
  expect(c.refreshes).toBeLessThanOrEqual(Math.ceil(elapsed / PERIOD_MIN));
  expectOneRefreshPerLifetime(c.refreshTimes);
  expect(c.reuseDetections).toBe(0);
  expect(c.graceRefreshes).toBe(0);
  expect(c.rejectedRefreshes).toBe(0);
  expect(c.rejectedTokens).toBe(0);
  expect(c.anonymousRequests).toBe(0);
};

const rounds = new WeakMap<Page, number>();
/** Clicks "Fire 10 queries at once" and waits until all ten answered. */
async function burst(page: Page): Promise<void> {
  const k = (rounds.get(page) ?? 0) + 1;
  rounds.set(page, k);
  await page.getByTestId('burst-button').click();
  await expect(page.getByTestId('burst')).toHaveText(`#${k}: 10/10 ok`);
}

test.afterEach(async ({ context: _context }, info) => {
  if (info.status !== info.expectedStatus)
    console.log(`    counters: ${JSON.stringify(await counters())}`);
});

test('log in → header, data, a mutation and live ticks', async ({ page }) => {
  await resetCounters();
  const name = uniqueUser('login');
  await page.goto('/login');
  // The hint shows the password as it must be typed (it was upper-cased by CSS once).
  await expect(page.getByTestId('login-hint').locator('code')).toHaveText('demo');
  await expect(page.getByTestId('login-hint').locator('code')).toHaveCSS('text-transform', 'none');
  await login(page, name);
  await expect(page.getByTestId('header-user')).toHaveText(name);
  await expect(shown(page, 'me-id')).toHaveText(name);
  await page.getByPlaceholder('New display name').fill('Alice Example');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(shown(page, 'me-name')).toHaveText('Alice Example');
  await burst(page);
  const c = await counters();
  expect(c.logins).toBe(1);
  expect(c.anonymousRequests + c.rejectedTokens).toBe(0);
  expect(c.wsRejected).toBe(0);
});

test('three token lifetimes with concurrent queries: one refresh per lifetime, each one visible', async ({
  page,
}) => {
  await freshSession(page, 'stay');
  const t0 = Date.now();
  let sawRefreshing = 0;
  const { maxGap } = await stay([page], 3 * TTL + 1_000, async (p) => {
    await burst(p);
    if ((await p.getByTestId('status').textContent()) === 'refreshing…') sawRefreshing++;
  });
  const c = await counters();
  const elapsed = Date.now() - t0;
  note(
    test.info(),
    `${(elapsed / TTL).toFixed(1)} lifetimes, ${c.refreshes} refreshes at gaps ${gaps(c.refreshTimes).join('/')} ms, ` +
      `${c.graphqlRequests} requests, "refreshing…" seen in ${sawRefreshing} one-second samples, ` +
      `longest time between two samples with new ticks ${maxGap} ms`,
  );
  expectCleanRefreshes(c, elapsed, 3);
  expect(c.wsRejected).toBe(0);
  // Sampled once a second while each refresh stays visible for a second: most are seen.
  expect(sawRefreshing).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('refreshes')).toHaveText(String(c.refreshes));
  const log = page.getByTestId('event-log');
  await expect(log).toContainText('refreshing the access token');
  await expect(log).toContainText('new access token');
  await expect(log).toContainText('socket re-authenticated');
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
});

test('two tabs through three lifetimes: one refresh per lifetime across both, no reuse', async ({
  context,
}) => {
  const [a, b] = await twoTabs(context, 'tabs');
  await resetCounters();
  const t0 = Date.now();
  await stay([a, b], 3 * TTL + 1_000, burst);
  const c = await counters();
  const elapsed = Date.now() - t0;
  note(
    test.info(),
    `${(elapsed / TTL).toFixed(1)} lifetimes, ${c.refreshes} refreshes, gaps ${gaps(c.refreshTimes).join('/')} ms, ` +
      `reuse detections ${c.reuseDetections}`,
  );
  // Also: neither a reused token nor one presented twice within the grace window, so the tabs
  // never raced.
  expectCleanRefreshes(c, elapsed, 3);
});

test('sign out in one tab: the other tab follows, and the session is revoked server-side', async ({
  context,
}) => {
  const [a, b] = await twoTabs(context, 'logout');
  const before = await sessionCookies(context);
  await a.getByTestId('logout').click();
  await a.waitForURL('**/login?reason=signed-out');
  await b.waitForURL('**/login?reason=*', { timeout: 5_000 });
  await expect(b.getByTestId('signed-out')).toBeVisible();
  expect((await sessionCookies(context)).rt).toBeUndefined();
  // Revoked, not only forgotten: the old refresh token no longer works anywhere.
  const replay = await a.request.post('/api/auth/refresh', {
    headers: {
      origin: new URL(a.url()).origin,
      'content-type': 'application/json',
      cookie: `rt=${before.rt?.value}`,
    },
    data: {},
  });
  expect(replay.status()).toBe(401);
  await b.goto('/dashboard');
  await b.waitForURL('**/login');
});

test('server revokes the session → signed-out message, login page, bounded refresh calls', async ({
  page,
}) => {
  const name = await freshSession(page, 'revoke');
  expect(await revokeUser(name)).toBe(1);
  await page.waitForURL('**/login?reason=expired');
  await expect(page.getByTestId('signed-out')).toHaveText(
    'Your session has ended. Please sign in again.',
  );
  await page.screenshot({ path: join(artifacts, 'signed-out.png'), fullPage: true });
  const atRedirect = await counters();
  // Staying one more lifetime shows there is no loop of refresh calls.
  await page.waitForTimeout(TTL);
  const later = await counters();
  note(
    test.info(),
    `refresh calls after revocation: ${atRedirect.rejectedRefreshes} (then ${later.rejectedRefreshes - atRedirect.rejectedRefreshes} more in one lifetime)`,
  );
  expect(atRedirect.refreshes).toBe(0);
  expect(atRedirect.rejectedRefreshes).toBeGreaterThanOrEqual(1);
  expect(atRedirect.rejectedRefreshes).toBeLessThanOrEqual(2);
  expect(later.rejectedRefreshes).toBe(atRedirect.rejectedRefreshes);
  expect(later.graphqlRequests).toBe(atRedirect.graphqlRequests);
});

test('a refresh answer lost on the way: the retry with the same cookie is inside the grace window', async ({
  page,
}) => {
  await freshSession(page, 'grace');
  // The next refresh reaches the server (which rotates the refresh token) but its answer, with
  // the new cookie, never reaches the page: as when a connection drops or a tab is closed.
  let lost = 0;
  await page.route('**/api/auth/refresh', async (route) => {
    if (lost > 0) return route.continue();
    lost++;
    // Sent from here, not through the browser, so its Set-Cookie never reaches the browser.
    const headers = await route.request().allHeaders();
    await fetch(`${api()}/api/auth/refresh`, {
      method: 'POST',
      headers: {
        origin: headers.origin ?? '',
        cookie: headers.cookie ?? '',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    await route.abort('connectionreset');
  });
  await expect.poll(async () => (await counters()).refreshes, { timeout: TTL }).toBe(2);
  await expectLive(page);
  const c = await counters();
  note(
    test.info(),
    `refreshes ${c.refreshes} (grace ${c.graceRefreshes}), reuse detections ${c.reuseDetections}`,
  );
  // The manager retried the transient failure with the cookie it still had: the server's
  // previous token, accepted once more within REFRESH_REUSE_GRACE_MS.
  expect(c.graceRefreshes).toBe(1);
  expect(c.reuseDetections).toBe(0);
  expect(c.rejectedRefreshes).toBe(0);
});

test('closing the tab that is mid-refresh does not hang the other tab', async ({ context }) => {
  const a = await context.newPage();
  await freshSession(a, 'close');
  // Tab A's refresh request gets no answer: A holds the cross-tab lock while it waits.
  await a.route('**/api/auth/refresh', () => {});
  await expect(a.getByTestId('status')).toHaveText('refreshing…', { timeout: TTL });
  // A new tab B must refresh to restore the session, and waits for the lock that A holds.
  const b = await context.newPage();
  await b.goto('/dashboard');
  await expect(b.getByTestId('status')).toHaveText('refreshing…');
  expect((await counters()).refreshes).toBe(0);
  await a.close();
  // B gets the lock once A is gone and refreshes for itself: live again, well within a lifetime.
  await expectLive(b);
  await expect(b.getByTestId('status')).toHaveText('authenticated');
  const c = await counters();
  note(
    test.info(),
    `refreshes ${c.refreshes} (grace ${c.graceRefreshes}), rejected ${c.rejectedRefreshes}, reuse detections ${c.reuseDetections}`,
  );
  expect(c.refreshes).toBeGreaterThanOrEqual(1);
  expect(c.refreshes).toBeLessThanOrEqual(2);
  expect(c.reuseDetections).toBe(0);
  expect(c.rejectedRefreshes).toBe(0);
});
