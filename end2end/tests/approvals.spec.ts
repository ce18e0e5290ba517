import { type Browser, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  DEMO_PASSWORD,
  PAYMENT_PASSWORD,
  createUser,
  seedPayment,
  setPaymentPassword,
  setPaymentPasswordFromDialog,
  signIn,
  waitForHydration,
} from './helpers';

// Approval above a limit, as Fjord Outdoor's people use it: the admin sets a limit in
// JPY (a currency no other spec refunds at Fjord), an operator asks for two refunds
// above it, and another admin approves one with their own payment password and rejects
// the other with a reason. The operator follows both on the payment's details.

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText(email);
  return page;
}

/** From the details page: the refund dialog with `amount`, up to its confirmation. */
async function askForRefund(page: Page, amount: string): Promise<void> {
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Refund' });
  await waitForHydration(page);
  await dialog.getByLabel(/^Refund amount/).fill(amount);
  await dialog.getByLabel('Reason (optional)', { exact: true }).fill('Recall of batch 7 — 召回 🙂');
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(dialog.getByRole('note')).toContainText('approval limit of 1,000 JPY');
}

test('a refund above the limit waits for a second person, who approves or rejects it', async ({ browser }) => {
  test.setTimeout(240_000);
  const operator = createUser('Fjord Outdoor', 'operator', 'maker', 'Olga Operator');
  const checker = createUser('Fjord Outdoor', 'admin', 'checker', 'Chen Checker');
  const { payment } = seedPayment('fjord', 'PAYPAY', { amount: '10000' });

  // The admin sets the limit for JPY; a bad amount is refused next to its field.
  const admin = await signedIn(browser, 'admin@fjord.example');
  await admin.goto('/approvals');
  await waitForHydration(admin);
  await admin.getByLabel('Currency', { exact: true }).fill('JPY');
  await admin.getByLabel('Limit', { exact: true }).fill('ten');
  await admin.getByRole('button', { name: 'Save limit' }).click();
  await expect(admin.getByText(/^Enter an amount like/)).toBeVisible();
  await expect(admin.getByLabel('Limit', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await admin.getByLabel('Limit', { exact: true }).fill('1000');
  await admin.getByRole('button', { name: 'Save limit' }).click();
  await expect(admin.getByRole('status')).toHaveText('The limit for JPY is saved.');
  await expect(admin.getByRole('row').filter({ hasText: 'JPY' })).toContainText('1,000 JPY');

  // The operator asks for 6,000 JPY: a request, not a refund.
  const maker = await signedIn(browser, operator);
  await maker.goto(`/transactions/${encodeURIComponent(payment)}`);
  await waitForHydration(maker);
  await askForRefund(maker, '6000');
  const dialog = maker.getByRole('dialog', { name: 'Refund' });
  await setPaymentPasswordFromDialog(maker);
  await dialog.getByLabel('Payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await dialog.getByRole('button', { name: 'Request approval' }).click();
  await expect(dialog.getByText('Awaiting approval')).toBeVisible();
  await expect(dialog).toContainText('The amount is reserved');
  await dialog.getByRole('link', { name: 'Close', exact: true }).last().click();
  await expect(dialog).toHaveCount(0);
  const requests = maker.getByRole('table', { name: 'Refund approvals' });
  await expect(requests.getByRole('row').filter({ hasText: '6,000 JPY' })).toContainText('Awaiting approval');
  // Reserved: 4,000 JPY is what is left.
  await expect(maker.getByText(/^Refundable: 4,000 JPY/)).toBeVisible();

  // A second request, of 3,000 JPY.
  await askForRefund(maker, '3000');
  await dialog.getByLabel('Payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await dialog.getByRole('button', { name: 'Request approval' }).click();
  await expect(dialog.getByText('Awaiting approval')).toBeVisible();
  await dialog.getByRole('link', { name: 'Close', exact: true }).last().click();
  await expect(dialog).toHaveCount(0);
  await expect(maker.getByText(/^Refundable: 1,000 JPY/)).toBeVisible();

  // The requester cannot decide on their own requests.
  await maker.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  await waitForHydration(maker);
  const own = maker.getByRole('row').filter({ hasText: payment }).filter({ hasText: '6,000 JPY' });
  await expect(own).toContainText('Your request');
  await expect(own.getByRole('link', { name: /^Review/ })).toHaveCount(0);

  // Another admin approves the first with their own payment password…
  const check = await signedIn(browser, checker);
  await setPaymentPassword(check);
  await check.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  await waitForHydration(check);
  const row = (amount: string) => check.getByRole('row').filter({ hasText: payment }).filter({ hasText: amount });
  await row('6,000 JPY').getByRole('link', { name: `Review the refund of ${payment}` }).click();
  const review = check.getByRole('region', { name: `Refund of ${payment}` });
  await expect(review).toContainText('6,000 JPY');
  await review.getByLabel('Your payment password', { exact: true }).fill('wrong-password-1');
  await review.getByRole('button', { name: 'Approve refund' }).click();
  await expect(check.getByRole('region', { name: `Refund of ${payment}` }).getByRole('alert')).toBeVisible();
  await check.getByRole('region', { name: `Refund of ${payment}` }).getByLabel('Your payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await check.getByRole('region', { name: `Refund of ${payment}` }).getByRole('button', { name: 'Approve refund' }).click();
  await expect(check.getByRole('status')).toHaveText('Approved: the refund has been made.');
  await expect(row('6,000 JPY')).toContainText('Approved');

  // …and rejects the second, with a reason (required).
  await row('3,000 JPY').getByRole('link', { name: `Review the refund of ${payment}` }).click();
  const second = check.getByRole('region', { name: `Refund of ${payment}` });
  await expect(second).toContainText('3,000 JPY');
  await second.getByLabel('Reason for rejecting', { exact: true }).fill('Duplicate of the first — duplicado');
  await second.getByRole('button', { name: 'Reject' }).click();
  await expect(check.getByRole('status')).toHaveText('Rejected: the amount is refundable again.');
  await expect(row('3,000 JPY')).toContainText('Rejected');
  await expect(row('3,000 JPY')).toContainText('Duplicate of the first — duplicado');

  // The requester sees both decisions on the payment, and the refund that was made.
  await maker.goto(`/transactions/${encodeURIComponent(payment)}`);
  await waitForHydration(maker);
  await expect(requests.getByRole('row').filter({ hasText: '6,000 JPY' })).toContainText('Approved');
  const rejected = requests.getByRole('row').filter({ hasText: '3,000 JPY' });
  await expect(rejected).toContainText('Rejected');
  await expect(rejected).toContainText(checker);
  await expect(rejected).toContainText('Duplicate of the first');
  await expect(maker.getByRole('table', { name: 'Related transactions' })).toContainText('6,000 JPY');
  await expect(maker.getByText(/^Refundable: 4,000 JPY/)).toBeVisible();
});
