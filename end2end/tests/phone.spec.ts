import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, seedPayment, signIn, signInWithoutScript, waitForHydration } from './helpers';

// A phone held upright (390 × 844 CSS pixels, touch): every page fits the screen's
// width, the navigation folds behind a menu button, and all of it works from the
// keyboard too.
test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

/** How much wider than the screen the page lays out (0 when it fits). Measured against
 * the screen, not the window: a phone widens its layout to a page that overflows. */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - 390);
}

test('every page fits a phone screen', async ({ page }) => {
  // With a refund, so that its details have a table of related transactions.
  const { payment } = seedPayment('lotus', 'ALIPAY_CN', { refund: '10' });
  await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
  for (const path of [
    '/',
    '/transactions',
    `/transactions/${payment}`,
    '/reports',
    '/settings',
    '/settings/users',
    '/settings/audit',
  ]) {
    await page.goto(path);
    await waitForHydration(page);
    await expect(page.getByRole('main')).toBeVisible();
    expect(await overflow(page), `${path} is wider than the screen`).toBeLessThanOrEqual(0);
  }
  // The table scrolls sideways on its own, and takes the keyboard's focus to do so.
  await page.goto('/transactions?status=ANY');
  await waitForHydration(page);
  const table = page.getByRole('region', { name: 'Transactions, scrollable' });
  await table.focus();
  await expect(table).toBeFocused();
});

test('the navigation folds behind a menu button that works from the keyboard', async ({ page }) => {
  await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
  await waitForHydration(page);
  const menu = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();

  // On a page loaded afresh, the first Tab reaches the skip link, which takes the focus
  // past the navigation.
  await page.goto('/settings');
  await waitForHydration(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();

  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  const link = nav.getByRole('link', { name: 'Transactions' });
  await expect(link).toBeVisible();
  const box = await link.boundingBox();
  expect(box!.height, 'a link a finger can tap').toBeGreaterThanOrEqual(44);
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/transactions/);
  // Going somewhere folds the menu again.
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the links stay in view and the page fits', async ({ page }) => {
    await signInWithoutScript(page, 'admin@lotus.example', 'Lotus Tea House');
    await page.goto('/transactions');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Reports' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });
});
