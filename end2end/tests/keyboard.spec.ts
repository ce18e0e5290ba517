import { type Locator, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, PAYMENT_PASSWORD, seedPayment, waitForHydration } from './helpers';

// The main flows from the keyboard alone, at a desktop's and a phone's width: signing in,
// the query with a filter, a transaction's details, a refund with the payment password,
// an export, the reports and the admin's users. Every control is reached with Tab in
// the page's own order and used with Enter, Space, the arrow keys or typing; nothing is
// clicked. Sakura Electronics' admin refunds here and nowhere else.

/** Presses Tab until `target` has the focus; fails when it is not reached. */
async function tabTo(page: Page, target: Locator, limit = 120): Promise<void> {
  await expect(target).toBeVisible();
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

/** Follows a link of the main navigation, opening the menu first on a phone. */
async function navigate(page: Page, name: string, phone: boolean): Promise<void> {
  if (phone) {
    const menu = page.getByRole('button', { name: 'Menu' });
    await tabTo(page, menu);
    await page.keyboard.press('Enter');
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
  }
  await tabTo(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await waitForHydration(page);
}

for (const { width, viewport, phone } of [
  { width: 'desktop', viewport: { width: 1280, height: 800 }, phone: false },
  { width: 'phone', viewport: { width: 390, height: 844 }, phone: true },
]) {
  test(`the main flows work from the keyboard alone at ${width} width`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const { payment } = seedPayment('sakura', 'ALIPAY_CN');

    // Signing in.
    await page.goto('/login');
    await waitForHydration(page);
    await tabTo(page, page.getByLabel('Email', { exact: true }));
    await page.keyboard.type('admin@sakura.example');
    await tabTo(page, page.getByLabel('Password', { exact: true }));
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('banner')).toContainText('admin@sakura.example');
    await waitForHydration(page);

    // The payment password, set once (the phone's run finds it set).
    if (!phone) {
      await navigate(page, 'Settings', phone);
      await tabTo(page, page.getByRole('link', { name: 'Payment password', exact: true }));
      await page.keyboard.press('Enter');
      await expect(page.getByRole('heading', { name: 'Payment password' })).toBeVisible();
      await waitForHydration(page);
      await tabTo(page, page.getByLabel('Sign-in password', { exact: true }));
      await page.keyboard.type(DEMO_PASSWORD);
      await tabTo(page, page.getByLabel('New payment password', { exact: true }));
      await page.keyboard.type(PAYMENT_PASSWORD);
      await tabTo(page, page.getByLabel('Confirm new payment password', { exact: true }));
      await page.keyboard.type(PAYMENT_PASSWORD);
      await page.keyboard.press('Enter');
      await expect(page.getByText('Your payment password is set.')).toBeVisible();
    }

    // The query: a currency chosen with the arrow keys, applied with Enter.
    await navigate(page, 'Transactions', phone);
    const currency = page.getByLabel('Currency', { exact: true });
    await tabTo(page, currency);
    await page.keyboard.press('ArrowDown');
    const chosen = await currency.inputValue();
    expect(chosen).not.toEqual('');
    await tabTo(page, page.getByRole('button', { name: 'Apply filters' }));
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`currency=${chosen}`));
    await expect(page.getByRole('list', { name: 'Active filters' })).toContainText(`Currency: ${chosen}`);

    // An export of the filter: the panel opens with Enter, the button starts it.
    const exportPanel = page.getByText('Export', { exact: true });
    await tabTo(page, exportPanel);
    await page.keyboard.press('Enter');
    const downloading = page.waitForEvent('download');
    await tabTo(page, page.getByRole('button', { name: 'Export .csv' }));
    await page.keyboard.press('Enter');
    expect((await downloading).suggestedFilename()).toMatch(/^sakura-electronics_transactions_.*\.csv$/);

    // The payment found by its ID and opened from its row's link.
    await tabTo(page, page.getByLabel('ID', { exact: true }));
    await page.keyboard.type(payment);
    await page.keyboard.press('Enter');
    const link = page.getByRole('table', { name: 'Transactions' }).getByRole('link', { name: payment });
    await tabTo(page, link);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(payment);
    await waitForHydration(page);

    // A refund of all of it, confirmed with the payment password.
    await tabTo(page, page.getByRole('button', { name: 'Refund', exact: true }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Refund' });
    await expect(dialog).toBeVisible();
    await tabTo(page, dialog.getByRole('button', { name: 'Continue' }));
    await page.keyboard.press('Enter');
    const password = dialog.getByLabel('Payment password', { exact: true });
    await waitForHydration(page);
    await tabTo(page, password);
    await page.keyboard.type(PAYMENT_PASSWORD);
    await page.keyboard.press('Enter');
    await expect(dialog.getByText('Refund successful')).toBeVisible();
    // The result hands the focus to its main action.
    const close = dialog.getByRole('link', { name: 'Close', exact: true }).last();
    await expect(close).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('table', { name: 'Related transactions' })).toContainText('Successful');

    // The reports calendar, and the admin's users.
    await navigate(page, 'Reports', phone);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Transaction reports');
    await navigate(page, 'Settings', phone);
    await tabTo(page, page.getByRole('link', { name: 'Users', exact: true }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('table', { name: 'Users' })).toContainText('admin@sakura.example');
  });
}
