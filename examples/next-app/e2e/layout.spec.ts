import { expect, type Locator, type Page, test } from '@playwright/test';
import { login, uniqueUser } from './helpers';

type Box = { left: number; right: number; top: number; bottom: number };

/** The value test ids of the session card's four figures (each with its label above or beside it). */
const FIGURES = ['status', 'expires-in', 'refreshes', 'socket-reauths'];

/** Where the element's text is drawn: one box per line of each text inside it. */
const textBoxes = (locator: Locator): Promise<Box[]> =>
  locator.evaluate((element) => {
    const boxes: Box[] = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const { left, right, top, bottom, width } of range.getClientRects())
        if (width > 0) boxes.push({ left, right, top, bottom });
    }
    return boxes;
  });

/**
 * How many lines the boxes sit on. A box whose middle is within the height of the first box of
 * the line so far is on that line; side by side items are centred on their row, so a wrapped
 * item next to a one-line item still counts each of its lines.
 */
function lineCount(boxes: Box[]): number {
  const middle = (box: Box) => (box.top + box.bottom) / 2;
  let lines = 0;
  let lineBottom = Number.NEGATIVE_INFINITY;
  for (const box of [...boxes].sort((first, second) => middle(first) - middle(second))) {
    if (middle(box) > lineBottom) {
      lines++;
      lineBottom = box.bottom;
    }
  }
  return lines;
}

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${locator} is not shown`);
  return { left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height };
}

/** The server takes user names of up to 32 word characters. */
const LONGEST_NAME = 32;

/** The dashboard of a new user, live. */
async function dashboard(page: Page, user: string): Promise<{ card: Locator; figures: Locator[] }> {
  await login(page, user);
  const card = page.locator('section', { has: page.getByTestId('status') });
  return { card, figures: FIGURES.map((testId) => page.getByTestId(testId).locator('..')) };
}

test.describe('on a 390 px phone screen', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('the session card holds its four figures, nothing scrolls sideways, the header takes two lines at most', async ({
    page,
  }) => {
    // The longest name there can be, in the header and in the profile card.
    const { card, figures } = await dashboard(page, uniqueUser('phone').padEnd(LONGEST_NAME, 'W'));
    const cardBox = await boxOf(card);
    for (const [index, figure] of figures.entries()) {
      // The figure's box and every line of its label and value, with half a pixel for rounding.
      for (const box of [await boxOf(figure), ...(await textBoxes(figure))]) {
        const where = `${FIGURES[index]}: ${JSON.stringify(box)} in the card ${JSON.stringify(cardBox)}`;
        expect(box.left, where).toBeGreaterThanOrEqual(cardBox.left - 0.5);
        expect(box.right, where).toBeLessThanOrEqual(cardBox.right + 0.5);
        expect(box.top, where).toBeGreaterThanOrEqual(cardBox.top - 0.5);
        expect(box.bottom, where).toBeLessThanOrEqual(cardBox.bottom + 0.5);
      }
    }
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(scrollWidth, 'the page is wider than the screen').toBeLessThanOrEqual(innerWidth);
    // Lines of text, not the header's height over a line height: the Sign out button makes its
    // row taller than a line of text, so two rows would measure as about three lines.
    const headerLines = lineCount(await textBoxes(page.getByRole('banner')));
    expect(headerLines, 'lines of text in the header').toBeLessThanOrEqual(2);
  });
});

test.describe('on a 1280 px desktop screen', () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test('the four figures stay side by side and the header on one line', async ({ page }) => {
    const { figures } = await dashboard(page, uniqueUser('desktop'));
    const tops = await Promise.all(figures.map(async (figure) => (await boxOf(figure)).top));
    expect(new Set(tops).size, `figure tops ${tops.join(', ')}`).toBe(1);
    expect(lineCount(await textBoxes(page.getByRole('banner')))).toBe(1);
  });
});
