import AxeBuilder from '@axe-core/playwright';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, openQuery, seedPayment, signIn, waitForHydration } from './helpers';

// axe-core on every page of the dashboard, signed out and signed in, at a desktop and a
// phone width: the WCAG 2.0 and 2.1 rules of levels A and AA must find nothing. Sakura
// Electronics' admin is used here, since the other specs leave that merchant alone.
// Every check is a soft assertion, so one run lists everything axe finds on every page.

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const WIDTHS = [
  { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
  { name: 'phone', use: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } },
];

/** What axe finds on the page as it is now, one line per element, readable in a diff. */
async function axeFindings(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return violations.flatMap((v) =>
    v.nodes.map((node) => {
      const why = (node.failureSummary ?? '').replace(/\s+/g, ' ').trim();
      return `${v.id} [${v.impact}] ${node.target.join(' ')}: ${v.help}. ${why}`;
    }),
  );
}

async function expectNoViolations(page: Page, what: string): Promise<void> {
  const width = page.viewportSize()?.width;
  expect.soft(await axeFindings(page), `axe on ${what} at ${width} px`).toEqual([]);
}

/** Opens `path` and waits until the page has hydrated and shows `heading`. */
async function visit(page: Page, path: string, heading: string | RegExp): Promise<void> {
  await page.goto(path);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

for (const { name, use } of WIDTHS) {
  test.describe(`at ${name} width`, () => {
    test.use(use);

    test('the pages before signing in have no violations', async ({ page }) => {
      await visit(page, '/login', 'Sign in');
      await expectNoViolations(page, 'the sign-in page');

      // A refused sign-in shows its error next to the form.
      await page.getByLabel('Email', { exact: true }).fill('nobody@example.com');
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expectNoViolations(page, 'the sign-in page with an error');

      await visit(page, '/receipts/verify', 'Verify a refund receipt');
      await expectNoViolations(page, 'the receipt verification page');
      await visit(page, '/receipts/verify?refund=NO-SUCH-REFUND&code=AAAAA-BBBBB-CCCCC-DDDDD', 'Verify a refund receipt');
      await expect(page.getByRole('heading', { name: 'Not genuine' })).toBeVisible();
      await expectNoViolations(page, 'the receipt verification page with a result');
    });

    test('every signed-in page has no violations', async ({ page }) => {
      test.setTimeout(180_000);
      const { payment, refund } = seedPayment('sakura', 'ALIPAY_CN', { refund: '10' });
      await signIn(page, 'admin@sakura.example', DEMO_PASSWORD);
      await expect(page.getByRole('banner')).toContainText('Sakura Electronics');

      await visit(page, '/', 'Overview');
      await expectNoViolations(page, 'the overview');
      const menu = page.getByRole('button', { name: 'Menu' });
      if (await menu.isVisible()) {
        await menu.click();
        await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
        await expectNoViolations(page, 'the overview with the menu open');
      }

      // The query for the last 40 days holds at least the payment made above.
      await openQuery(page);
      await expect(page.getByRole('table', { name: 'Transactions' }).getByRole('row').nth(1)).toBeVisible();
      await expectNoViolations(page, 'the transaction query with results');
      await page.getByText('Display settings', { exact: true }).click();
      await page.getByText('Export', { exact: true }).click();
      await expectNoViolations(page, 'the transaction query with its panels open');

      await visit(page, `/transactions/${encodeURIComponent(payment)}`, new RegExp(payment));
      await expectNoViolations(page, "a payment's details");

      const dialog = page.getByRole('dialog', { name: 'Refund' });
      await page.getByRole('button', { name: 'Refund', exact: true }).click();
      await expect(dialog.getByLabel(/^Refund amount/)).toBeVisible();
      await expectNoViolations(page, 'the refund dialog');
      await dialog.getByLabel(/^Refund amount/).fill('1');
      // Sent with Enter, as a phone's Go key does.
      await dialog.getByLabel(/^Refund amount/).press('Enter');
      await expect(dialog.getByRole('button', { name: 'Submit refund' })).toBeVisible();
      await expectNoViolations(page, "the refund dialog's confirmation");

      // A refund's details carry its notification log and the receipt menu.
      await visit(page, `/transactions/${encodeURIComponent(refund!)}`, new RegExp(refund!));
      await expect(page.getByRole('heading', { name: 'Refund notifications' })).toBeVisible();
      await page.getByText('Download refund receipt').click();
      await expect(page.getByRole('link', { name: 'English' })).toBeVisible();
      await expectNoViolations(page, "a refund's details with its notification log and receipt menu");

      await visit(page, '/reports', 'Transaction reports');
      await expect(page.getByRole('grid')).toBeVisible();
      await expectNoViolations(page, "the reports calendar's month");
      // The month before is closed: every day has its download.
      await page.getByRole('link', { name: 'Previous' }).click();
      await expect(page).toHaveURL(/month=/);
      await expect(page.getByRole('grid').getByRole('link', { name: /^Download/ }).first()).toBeAttached();
      await expectNoViolations(page, "the reports calendar's previous month");
      await page.getByRole('link', { name: 'Year' }).click();
      await expect(page).toHaveURL(/view=year/);
      await expect(page.getByRole('grid').getByRole('row')).toHaveCount(3);
      await expectNoViolations(page, "the reports calendar's year");

      for (const [path, what] of [
        ['/settings', 'the account settings'],
        ['/settings/payment-password', 'the payment password settings'],
        ['/settings/users', 'the users'],
        ['/settings/api-keys', 'the API keys'],
        ['/settings/audit', 'the audit log'],
      ]) {
        await visit(page, path, 'Settings');
        await expectNoViolations(page, what);
      }

      await visit(page, '/approvals', 'Refund approvals');
      await expect(page.getByRole('heading', { level: 2, name: 'Limits by currency' })).toBeVisible();
      await expectNoViolations(page, 'the approvals with the limits');
      await visit(page, '/refunds/batches', 'Batch refunds');
      await expectNoViolations(page, 'the batch refunds');

      await visit(page, '/no-such-page', 'Page not found');
      await expectNoViolations(page, 'the not-found page, signed in');
    });
  });
}

test('the reports calendar is one Tab stop, walked with the arrow keys', async ({ page }) => {
  await signIn(page, 'finance@sakura.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Sakura Electronics');
  await visit(page, '/reports', 'Transaction reports');
  // The month before is wholly closed, and today is not on it: the grid starts on the 1st.
  await page.getByRole('link', { name: 'Previous' }).click();
  await expect(page).toHaveURL(/month=/);
  await waitForHydration(page);
  const url = new URL(page.url());
  const month = `${url.searchParams.get('year')}-${url.searchParams.get('month')!.padStart(2, '0')}`;
  const grid = page.getByRole('grid', { name: await page.getByTestId('calendar-title').innerText() });
  await expect(grid.getByRole('columnheader')).toHaveCount(7);
  const focused = page.locator(':focus');

  await page.getByRole('link', { name: 'Next' }).focus();
  await page.keyboard.press('Tab');
  await expect(focused).toHaveAttribute('role', 'gridcell');
  await expect(focused).toHaveAttribute('data-period', `${month}-01`);
  await page.keyboard.press('ArrowRight');
  await expect(focused).toHaveAttribute('data-period', `${month}-02`);
  await page.keyboard.press('ArrowDown');
  await expect(focused).toHaveAttribute('data-period', `${month}-09`);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowLeft');
  await expect(focused).toHaveAttribute('data-period', `${month}-01`);
  await page.keyboard.press('ArrowRight');

  // Tab goes to the focused day's download, shown now, Shift+Tab back to the day, and
  // past the download Tab leaves the grid.
  await page.keyboard.press('Tab');
  const download = grid.getByRole('link', { name: `Download the report of ${month}-02` });
  await expect(download).toBeFocused();
  await expect(download).toBeVisible();
  await page.keyboard.press('Shift+Tab');
  await expect(focused).toHaveAttribute('data-period', `${month}-02`);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('[role=grid]'))).toBe(false);
  // Coming back with Tab lands on the day last visited.
  await page.getByRole('link', { name: 'Next' }).focus();
  await page.keyboard.press('Tab');
  await expect(focused).toHaveAttribute('data-period', `${month}-02`);
});
