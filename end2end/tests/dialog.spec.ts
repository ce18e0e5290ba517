import { expect, test, type Page } from '@playwright/test';
import { DEMO_PASSWORD, seedPayment, signIn, waitForHydration } from './helpers';

// The refund dialog from the keyboard, and what it shows when something is refused.
// Fjord Outdoor's admin opens dialogs here but never submits a refund.

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Refund' });
const refundButton = (page: Page) => page.getByRole('button', { name: 'Refund', exact: true });

async function openPayment(page: Page, email: string, merchant: string): Promise<string> {
  await signIn(page, email, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText(email);
  const { payment } = seedPayment(merchant, 'ALIPAY_CN');
  await page.goto(`/transactions/${payment}`);
  await waitForHydration(page);
  return payment;
}

/** Whether the focused element is inside the refund dialog. */
async function focusInDialog(page: Page): Promise<boolean> {
  return page.evaluate(() => !!document.activeElement?.closest('dialog'));
}

test('the dialog takes focus, keeps Tab inside, closes with Escape and gives focus back', async ({ page }) => {
  await openPayment(page, 'admin@fjord.example', 'fjord');
  await refundButton(page).focus();
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).getByLabel(/^Refund amount/)).toBeFocused();

  // Tab and Shift+Tab walk the dialog's controls only, however far they go.
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    expect(await focusInDialog(page), `Tab ${i + 1}`).toBe(true);
  }
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await focusInDialog(page), `Shift+Tab ${i + 1}`).toBe(true);
  }

  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await expect(page).not.toHaveURL(/refund=/);
  await expect(refundButton(page)).toBeFocused();
});

test('an amount refused at the confirmation shows the amount step, highlighted as such', async ({ page }) => {
  await openPayment(page, 'admin@fjord.example', 'fjord');
  await refundButton(page).click();
  await dialog(page).getByLabel(/^Refund amount/).fill('999999');
  await dialog(page).getByRole('button', { name: 'Continue' }).click();
  await expect(dialog(page).getByText('(REFUND_AMOUNT_EXCEED)')).toBeVisible();
  const current = dialog(page).locator('.steps [aria-current="step"]');
  await expect(current).toHaveCount(1);
  await expect(current).toHaveText('Amount');
  // The form's GET leaves no stray empty parameter in the URL.
  expect(page.url()).not.toMatch(/[?&]=/);
});

test('a viewer opening the dialog by its URL is told why, in plain words', async ({ page }) => {
  const payment = await openPayment(page, 'viewer@lotus.example', 'lotus');
  await page.goto(`/transactions/${payment}?refund=form`);
  await waitForHydration(page);
  await expect(dialog(page).getByText('Your role (Viewer) does not allow this.')).toBeVisible();
  await expect(page.getByText('error running server function')).toHaveCount(0);
});

test('a refund and a cancel show the Refund button greyed out with the reason', async ({ page }) => {
  await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('admin@lotus.example');
  const { refund } = seedPayment('lotus', 'ALIPAY_CN', { refund: '5' });
  await page.goto(`/transactions/${refund}`);
  await expect(refundButton(page)).toBeDisabled();
  await expect(refundButton(page)).toHaveAccessibleDescription('Only payments and captures can be refunded.');
});

test('unknown export fields are refused with the list of fields', async ({ page }) => {
  await signIn(page, 'finance@lotus.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('finance@lotus.example');
  const response = await page.request.get('/exports/transactions.csv?fields=bogus');
  expect(response.status()).toBe(400);
  expect(await response.text()).toMatch(/^Unknown field "bogus"\. Fields are: transaction_id, /);
});
