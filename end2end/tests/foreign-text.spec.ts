import { expect, test, type Page } from '@playwright/test';
import {
  DEMO_PASSWORD,
  PAYMENT_PASSWORD,
  seedPayment,
  setPaymentPasswordFromDialog,
  signIn,
  waitForHydration,
} from './helpers';

// Portuguese, Chinese and emoji typed into the dashboard's text fields come back exactly
// as typed, or get a clear message beside the field when the field takes no such text.
// Harbour Books' admin, who has no payment password yet, as in the report of the bug.

const REASON = 'Devolução parcial 退款 🎁';
const dialog = (page: Page) => page.getByRole('dialog', { name: 'Refund' });

async function signInAsAdmin(page: Page): Promise<void> {
  await signIn(page, 'admin@harbour.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Harbour Books');
}

test('a reason in Portuguese and Chinese survives setting the payment password on the way', async ({ page }) => {
  await signInAsAdmin(page);
  const { payment } = seedPayment('harbour', 'ALIPAY_CN');
  await page.goto(`/transactions/${payment}`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await dialog(page).getByLabel(/^Refund amount/).fill('1.00');
  await dialog(page).getByLabel('Reason (optional)', { exact: true }).fill(REASON);
  await dialog(page).getByRole('button', { name: 'Continue' }).click();
  await expect(dialog(page).getByText(REASON, { exact: true })).toBeVisible();

  await setPaymentPasswordFromDialog(page);

  // Back at the confirmation with the reason as typed: encoded once in the URL.
  expect(new URL(page.url()).searchParams.get('reason')).toBe(REASON);
  expect(page.url()).toContain('reason=Devolu%C3%A7%C3%A3o');
  await expect(dialog(page).getByText(REASON, { exact: true })).toBeVisible();
  await waitForHydration(page);
  await dialog(page).getByLabel('Payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await dialog(page).getByRole('button', { name: 'Submit refund' }).click();
  await expect(dialog(page).getByText('Refund successful')).toBeVisible();

  // The refund's own page shows the reason exactly.
  await dialog(page).getByRole('link').filter({ hasText: /^\d+$/ }).click();
  await expect(page.locator('dt', { hasText: /^Reason$/ }).locator('xpath=following-sibling::dd[1]')).toHaveText(REASON);
});

test('a reason with a direction override or a line break is refused beside the field', async ({ page }) => {
  await signInAsAdmin(page);
  const { payment } = seedPayment('harbour', 'ALIPAY_CN');
  await page.goto(`/transactions/${payment}`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await dialog(page).getByLabel('Reason (optional)', { exact: true }).fill('refund \u202Elanigiro');
  await dialog(page).getByRole('button', { name: 'Continue' }).click();
  await expect(
    dialog(page).getByText('The reason must not contain text-direction override characters. (PARAM_ILLEGAL)'),
  ).toBeVisible();
});

test('names, searches and IDs in other scripts', async ({ page }) => {
  await signInAsAdmin(page);
  // A user's name in three scripts is listed as typed.
  await page.goto('/settings/users');
  await waitForHydration(page);
  const name = 'João Zé 张伟 🙂';
  const email = `joao-${Date.now().toString(36)}@harbour.example`;
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Initial sign-in password', { exact: true }).fill('a long enough password');
  await page.getByRole('button', { name: 'Add user', exact: true }).click();
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText(name);

  // A search of the audit log in Chinese finds nothing, without an error.
  await page.goto('/settings/audit');
  await waitForHydration(page);
  await page.getByLabel('Actor email contains', { exact: true }).fill('张伟');
  await page.getByRole('button', { name: 'Apply filters', exact: true }).click();
  await expect(page).toHaveURL(/actor=%E5%BC%A0%E4%BC%9F/);
  await expect(page.getByText('No events match these filters.')).toBeVisible();

  // Transaction IDs are ASCII: Chinese in the ID search gets the field's message.
  await page.goto('/transactions');
  await waitForHydration(page);
  await page.getByLabel('ID', { exact: true }).fill('退款-42');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByText('An ID has up to 64 letters, digits and symbols, without spaces.')).toBeVisible();
  expect(page.url()).not.toMatch(/[?&]=/);
});
