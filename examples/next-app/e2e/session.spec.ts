import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import {
  AHEAD,
  type Counters,
  counters,
  expectLive,
  gaps,
  login,
  resetCounters,
  revokeUser,
  stay,
  TTL,
} from './helpers';

const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
mkdirSync(artifacts, { recursive: true });

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
  expect(c.unauthenticated).toBe(0);
};

const rounds = new WeakMap<Page, number>();
/** Clicks "Fire 10 queries at once" and waits until all ten answered. */
async function burst(page: Page): Promise<void> {
  const k = (rounds.get(page) ?? 0) + 1;
  rounds.set(page, k);
  await page.getByTestId('burst-button').click();
  await expect(page.getByTestId('burst')).toHaveText(`#${k}: 10/10 ok`);
}

// Unique per run: the API server keeps users' names across tests (and --repeat-each).
let seq = 0;
const user = (name: string) => `${name}_${process.pid % 1000}${seq++}`;

test.afterEach(async ({ context: _context }, info) => {
  if (info.status !== info.expectedStatus)
    console.log(`    counters: ${JSON.stringify(await counters())}`);
});

const note = (text: string) => {
  test.info().annotations.push({ type: 'figures', description: text });
  console.log(`    ${test.info().title}: ${text}`);
};

test('log in → dashboard shows data, a mutation and live ticks', async ({ page }) => {
  await resetCounters();
  const name = user('login');
  await login(page, name);
  await expect(page.getByTestId('ssr-user')).toHaveText(name);
  await expect(page.getByTestId('me-name')).toHaveText(name);
  await page.getByPlaceholder('New display name').fill('Alice Example');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('me-name')).toHaveText('Alice Example');
  await burst(page);
  const c = await counters();
  expect(c.logins).toBe(1);
  expect(c.unauthenticated).toBe(0);
  expect(c.wsRejected).toBe(0);
});

test('three token lifetimes with concurrent queries: one refresh per lifetime', async ({
  page,
}) => {
  await login(page, user('stay'));
  await resetCounters();
  const t0 = Date.now();
  const { maxGap } = await stay([page], 3 * TTL + 1_000, burst);
  const c = await counters();
  const elapsed = Date.now() - t0;
  note(
    `${(elapsed / TTL).toFixed(1)} lifetimes, ${c.refreshes} refreshes at gaps ${gaps(c.refreshTimes).join('/')} ms, ` +
      `${c.graphqlRequests} requests, longest time between two samples with new ticks ${maxGap} ms`,
  );
  expectCleanRefreshes(c, elapsed, 3);
  expect(c.wsRejected).toBe(0);
  await expect(page.getByTestId('refreshes')).toHaveText(String(c.refreshes));
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
});

test('two tabs through three lifetimes: one refresh per lifetime across both, no reuse', async ({
  context,
}) => {
  const a = await context.newPage();
  await login(a, user('tabs'));
  const b = await context.newPage();
  await b.goto('/dashboard');
  await expectLive(b);
  await resetCounters();
  const t0 = Date.now();
  await stay([a, b], 3 * TTL + 1_000, burst);
  const c = await counters();
  const elapsed = Date.now() - t0;
  const perTab = [
    await a.getByTestId('refreshes').textContent(),
    await b.getByTestId('refreshes').textContent(),
  ];
  note(
    `${(elapsed / TTL).toFixed(1)} lifetimes, ${c.refreshes} refreshes (tab events ${perTab.join('+')}), ` +
      `gaps ${gaps(c.refreshTimes).join('/')} ms, reuse detections ${c.reuseDetections}`,
  );
  // Also: neither a reused token nor one presented twice within the grace window, so the tabs
  // never raced.
  expectCleanRefreshes(c, elapsed, 3);
});

test('logout in one tab signs out the other', async ({ context }) => {
  const a = await context.newPage();
  await login(a, user('logout'));
  const b = await context.newPage();
  await b.goto('/dashboard');
  await expectLive(b);
  await a.getByTestId('logout').click();
  await a.waitForURL('**/login?reason=signed-out');
  await b.waitForURL('**/login?reason=*', { timeout: 5_000 });
  await expect(b.getByTestId('signed-out')).toBeVisible();
  // The refresh cookie is gone with the session: the dashboard sends a fresh visit to login.
  await b.goto('/dashboard');
  await b.waitForURL('**/login');
});

test('server revokes the session → signed-out message, login page, bounded refresh calls', async ({
  page,
}) => {
  const name = user('revoke');
  await login(page, name);
  await resetCounters();
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
    `refresh calls after revocation: ${atRedirect.rejectedRefreshes} (then ${later.rejectedRefreshes - atRedirect.rejectedRefreshes} more in one lifetime)`,
  );
  expect(atRedirect.refreshes).toBe(0);
  expect(atRedirect.rejectedRefreshes).toBeGreaterThanOrEqual(1);
  expect(atRedirect.rejectedRefreshes).toBeLessThanOrEqual(2);
  expect(later.rejectedRefreshes).toBe(atRedirect.rejectedRefreshes);
  expect(later.graphqlRequests).toBe(atRedirect.graphqlRequests);
});

test('reload mid-session: SSR renders with the session intact, no extra refresh', async ({
  page,
}) => {
  const name = user('reload');
  await login(page, name);
  await resetCounters();
  // Mid-session: after the first refresh, once the browser has stored its cookies.
  const cookie = async () =>
    (await page.context().cookies()).find((c) => c.name === 'at')?.value ?? '';
  const first = await cookie();
  await expect.poll(cookie, { timeout: TTL }).not.toBe(first);
  expect((await counters()).refreshes).toBe(1);
  await page.reload();
  await expect(page.getByTestId('ssr-user')).toHaveText(name);
  await expectLive(page);
  // The server-rendered HTML itself carries the user (not filled in later by the browser).
  const html = await (await page.request.get('/dashboard')).text();
  expect(html).toContain(name);
  const c = await counters();
  expectOneRefreshPerLifetime(c.refreshTimes);
  expect(c.rejectedRefreshes).toBe(0);
});

test('closing the tab that is mid-refresh does not hang the other tab', async ({ context }) => {
  const a = await context.newPage();
  await login(a, user('close'));
  await resetCounters();
  // Tab A's refresh request gets no answer: A holds the cross-tab lock while it waits. (When
  // the tab closes, Playwright lets the held request through; the server's grace window covers
  // the rotated cookie that then never reaches the browser, as with any lost response.)
  await a.route('**/api/auth/refresh', () => {});
  await expect(a.getByTestId('status')).toHaveText('refreshing', { timeout: TTL });
  // Once the access cookie has expired, tab B cannot start from a server-rendered token: it
  // must refresh itself, and waits for the lock that A holds.
  const at = (await context.cookies()).find((c) => c.name === 'at')?.value ?? '';
  const { exp } = JSON.parse(Buffer.from(at.split('.')[1] ?? '', 'base64url').toString()) as {
    exp: number;
  };
  await expect.poll(() => Date.now() > exp * 1000, { timeout: TTL }).toBe(true);
  const b = await context.newPage();
  await b.goto('/dashboard');
  await expect(b.getByTestId('ssr-user')).toHaveText('(resuming in the browser)');
  await expect(b.getByTestId('status')).toHaveText('refreshing');
  expect((await counters()).refreshes).toBe(0);
  await a.close();
  // B gets the lock once A is gone and refreshes for itself: live again, well within a lifetime.
  await expectLive(b);
  await expect(b.getByTestId('status')).toHaveText('authenticated');
  const c = await counters();
  note(
    `refreshes ${c.refreshes} (grace ${c.graceRefreshes}), rejected ${c.rejectedRefreshes}, reuse detections ${c.reuseDetections}`,
  );
  expect(c.refreshes).toBeGreaterThanOrEqual(1);
  expect(c.refreshes).toBeLessThanOrEqual(2);
  expect(c.reuseDetections).toBe(0);
  expect(c.rejectedRefreshes).toBe(0);
});
