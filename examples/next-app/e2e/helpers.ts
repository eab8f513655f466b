import { type BrowserContext, expect, type Page } from '@playwright/test';
import type { AuthCounters } from '../server/auth';

export const api = () => {
  const url = process.env.E2E_API_URL;
  if (!url) throw new Error('E2E_API_URL is not set: run `npm run test:e2e`');
  return url;
};

/** Access token lifetime the servers were started with. */
export const TTL = Number(process.env.ACCESS_TTL_MS ?? 8_000);
/** What the app passes as `refreshBeforeExpiryMs` (lib/server/config.ts). */
export const AHEAD = Math.min(30_000, Math.round(TTL / 4));

/** The API server's test counters (`/__test/counters`). */
export type Counters = AuthCounters;

export async function counters(): Promise<Counters> {
  const res = await fetch(`${api()}/__test/counters`);
  return (await res.json()) as Counters;
}

export async function resetCounters(): Promise<void> {
  await fetch(`${api()}/__test/reset`, { method: 'POST' });
}

export async function revokeUser(user: string): Promise<number> {
  const res = await fetch(`${api()}/__test/revoke`, {
    method: 'POST',
    body: JSON.stringify({ user }),
  });
  return ((await res.json()) as { revoked: number }).revoked;
}

// Unique per run: the API server keeps users' names across tests (and --repeat-each).
let sequence = 0;
export const uniqueUser = (name: string) => `${name}_${process.pid % 1000}${sequence++}`;

/** Signs in through the form and waits for live data on the dashboard. */
export async function login(page: Page, user: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/dashboard');
  await expectLive(page);
}

/**
 * Signs in as a new user (`uniqueUser(name)`) and zeroes the API server's counters, so that
 * the test counts only what follows. Returns the user.
 */
export async function freshSession(page: Page, name: string): Promise<string> {
  const user = uniqueUser(name);
  await login(page, user);
  await resetCounters();
  return user;
}

/** Two tabs of one browser: the first signs in as a new user, the second opens the dashboard. */
export async function twoTabs(context: BrowserContext, name: string): Promise<[Page, Page]> {
  const first = await context.newPage();
  await login(first, uniqueUser(name));
  const second = await context.newPage();
  await second.goto('/dashboard');
  await expectLive(second);
  return [first, second];
}

export const ticks = async (page: Page) => Number(await page.getByTestId('ticks').textContent());

/**
 * The element of a query's data that the user sees. React streams each server-rendered Suspense
 * boundary into a hidden `<div>` before it moves it into place, so a page can hold a second,
 * hidden element with the same test id (seen in one clean-clone CI run: a strict-mode violation
 * on `item` that lasted the whole 10 s wait, with the visible copy showing the right data).
 */
export const shown = (page: Page, testId: string) =>
  page.getByTestId(testId).filter({ visible: true });

/** Authenticated, data shown, ticks arriving, no error. */
export async function expectLive(page: Page): Promise<void> {
  await expect(page.getByTestId('status')).toHaveText(/authenticated|refreshing/);
  await expect(shown(page, 'item')).toContainText('Item 42');
  const before = await ticks(page);
  await expect.poll(() => ticks(page), { timeout: 5_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId('error')).toHaveCount(0);
}

/**
 * Stays on the page(s) for `ms` (the scenario itself), sampling every second: ticks must keep
 * arriving (never a gap over `maxGapMs`), no error may appear, and `each` runs every sample.
 */
export async function stay(
  pages: Page[],
  ms: number,
  each: (page: Page) => Promise<void>,
  maxGapMs = 3_000,
): Promise<{ maxGap: number }> {
  const last = pages.map(() => ({ value: -1, at: Date.now() }));
  let maxGap = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const [i, page] of pages.entries()) {
      const seen = last[i];
      if (!seen) continue;
      await expect(page.getByTestId('error')).toHaveCount(0, { timeout: 1 });
      const count = await ticks(page);
      const now = Date.now();
      if (count > seen.value) {
        if (seen.value >= 0) maxGap = Math.max(maxGap, now - seen.at);
        seen.value = count;
        seen.at = now;
      }
      expect(now - seen.at, `ticks stalled on page ${i}`).toBeLessThan(maxGapMs);
      await each(page);
    }
    await pages[0]?.waitForTimeout(1_000);
  }
  return { maxGap }; // sampled once a second, so a gap of ~1 s means no visible stall
}

/** Gaps between consecutive successful refreshes, in ms. */
export const gaps = (times: number[]) =>
  times.slice(1).map((time, index) => time - (times[index] ?? time));

/** The session cookies as the browser holds them. */
export async function sessionCookies(context: BrowserContext) {
  const all = await context.cookies();
  const named = (name: string) => all.find((cookie) => cookie.name === name);
  return { rt: named('rt'), at: named('at') };
}

/** Records the figures of a test in the report and on the console. */
export function note(
  info: { title: string; annotations: { type: string; description?: string }[] },
  text: string,
) {
  info.annotations.push({ type: 'figures', description: text });
  console.log(`    ${info.title}: ${text}`);
}
