import { type Browser, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  DEMO_PASSWORD,
  PAYMENT_PASSWORD,
  openQuery,
  seedPayment,
  setPaymentPassword,
  setPaymentPasswordFromDialog,
  signIn,
  waitForHydration,
} from './helpers';

// Refunds from the details page with the payment password. Each test refunds as a
// different merchant's user, so that tests running side by side never share a payment
// or a payment password.


const dialog = (page: Page) => page.getByRole('dialog', { name: 'Refund' });
const related = (page: Page) => page.getByRole('table', { name: 'Related transactions' });

/** A new successful payment of `merchant` paid with `method` (through `acquirer`),
 * made for this test; returns its ID with the page on its details. */
async function freshPayment(
  page: Page,
  merchant: string,
  method: string,
  { acquirer }: { acquirer?: string } = {},
): Promise<string> {
  const { payment } = seedPayment(merchant, method, { acquirer });
  await page.goto(`/transactions/${encodeURIComponent(payment)}`);
  await waitForHydration(page);
  return payment;
}

/** The refundable amount the details page shows, as the amount field takes it. */
async function refundable(page: Page): Promise<string> {
  const text = await page.getByText(/^Refundable: /).innerText();
  return text.replace('Refundable: ', '').split(' ')[0].replace(/,/g, '');
}

/** Half of a plain decimal amount, in the same number of decimals. */
function half(amount: string): string {
  const decimals = amount.includes('.') ? amount.split('.')[1].length : 0;
  const minor = Math.round(Number(amount) * 10 ** decimals);
  return (Math.floor(minor / 2) / 10 ** decimals).toFixed(decimals);
}

/** Opens the dialog and goes to the confirmation with `amount` (default: all of it). */
async function startRefund(page: Page, amount?: string, reason = ''): Promise<void> {
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(dialog(page)).toBeVisible();
  const field = dialog(page).getByLabel(/^Refund amount/);
  if (amount !== undefined) await field.fill(amount);
  if (reason) await dialog(page).getByLabel('Reason (optional)', { exact: true }).fill(reason);
  await dialog(page).getByRole('button', { name: 'Continue' }).click();
  await expect(dialog(page).getByLabel('Payment password', { exact: true })).toBeVisible();
  await waitForHydration(page);
}

async function submitWith(page: Page, password: string): Promise<void> {
  await dialog(page).getByLabel('Payment password', { exact: true }).fill(password);
  await dialog(page).getByRole('button', { name: 'Submit refund' }).click();
}

async function signInAs(page: Page, email: string): Promise<void> {
  await signIn(page, email, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText(email);
}

async function signedInPage(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, email);
  return page;
}

test('a first refund sets up the payment password, then a second refunds the remainder', async ({ page }) => {
  await signInAs(page, 'operator@lotus.example');
  const payment = await freshPayment(page, 'lotus', 'ALIPAY_CN');
  const total = await refundable(page);
  const first = half(total);

  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(dialog(page).getByLabel(/^Refund amount/)).toHaveValue(total);
  await expect(dialog(page).getByText(/^Maximum: /)).toBeVisible();
  // Too much is refused next to the amount, with the result code.
  await dialog(page).getByLabel(/^Refund amount/).fill(`${Number(total) + 1}`);
  await dialog(page).getByRole('button', { name: 'Continue' }).click();
  await expect(dialog(page).getByText(/The most you can refund is .*\(REFUND_AMOUNT_EXCEED\)/)).toBeVisible();
  // The step is in the URL: a reload shows the same form and error.
  await page.reload();
  await waitForHydration(page);
  await expect(dialog(page).getByText(/The most you can refund is .*\(REFUND_AMOUNT_EXCEED\)/)).toBeVisible();
  await dialog(page).getByLabel(/^Refund amount/).fill(first);
  await dialog(page).getByLabel('Reason (optional)', { exact: true }).fill('Customer returned one tin');
  await dialog(page).getByRole('button', { name: 'Continue' }).click();

  // The confirmation summarises the refund; there is no payment password yet.
  const summary = dialog(page);
  await expect(summary.getByText(payment)).toBeVisible();
  await expect(summary.getByText('Synchronous: the refund is final at once.')).toBeVisible();
  await expect(summary.getByText('You have not set a payment password yet.', { exact: false })).toBeVisible();
  await setPaymentPasswordFromDialog(page);

  // Back at the confirmation, with the amount kept.
  await expect(dialog(page).getByText('You have not set a payment password yet.', { exact: false })).toHaveCount(0);
  await waitForHydration(page);
  await submitWith(page, PAYMENT_PASSWORD);
  await expect(dialog(page).getByText('Refund successful')).toBeVisible();
  const refundId = (await dialog(page).getByRole('link').filter({ hasText: /^\d+$/ }).innerText()).trim();

  // At once in Related transactions, behind the dialog.
  await expect(related(page).getByRole('row', { name: new RegExp(refundId) })).toContainText('Successful');
  await dialog(page).getByRole('link', { name: 'Close' }).first().click();
  await expect(dialog(page)).toHaveCount(0);

  // The second refund starts at what is left and takes all of it.
  const left = await refundable(page);
  expect(Number(left)).toBeCloseTo(Number(total) - Number(first), 2);
  await startRefund(page);
  await expect(dialog(page).getByText(/^0(\.0+)? CNY$/)).toBeVisible(); // refundable after
  await submitWith(page, PAYMENT_PASSWORD);
  await expect(dialog(page).getByText('Refund successful')).toBeVisible();
  await dialog(page).getByRole('link', { name: 'Close' }).first().click();
  await expect(related(page).getByRole('row').filter({ hasText: 'Refund' })).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Refund', exact: true })).toBeDisabled();

  // In the transaction query, the refund is of type Refund and Successful.
  await openQuery(page, `&id_type=transaction_id&id=${refundId}`);
  const row = page.getByRole('table', { name: 'Transactions' }).getByRole('row', { name: new RegExp(refundId) });
  await expect(row).toContainText('Refund');
  await expect(row).toContainText('Successful');

  // The refund's own page: no notifications, since dashboard refunds have no API client.
  await row.getByRole('link', { name: refundId }).click();
  await expect(page.getByRole('heading', { name: 'Refund notifications' })).toBeVisible();
  await expect(page.getByText(/^No notifications/)).toBeVisible();
  await waitForHydration(page);
});

test('an asynchronous refund updates the page when it settles', async ({ page }) => {
  await signInAs(page, 'operator@fjord.example');
  await setPaymentPassword(page);
  const payment = await freshPayment(page, 'fjord', 'VISA', { acquirer: 'ADYEN' });
  await startRefund(page, half(await refundable(page)));
  await expect(dialog(page).getByText(/^Asynchronous: /)).toBeVisible();
  await submitWith(page, PAYMENT_PASSWORD);
  await expect(dialog(page).getByText('Refund processing')).toBeVisible();
  await expect(related(page).getByRole('row').filter({ hasText: 'Refund' })).toContainText('Processing');
  const url = page.url();
  // The acquirer answers after a few seconds; the page follows without a reload.
  await expect(dialog(page).getByText('Refund successful')).toBeVisible({ timeout: 30_000 });
  await expect(related(page).getByRole('row').filter({ hasText: 'Refund' })).toContainText('Successful');
  expect(page.url()).toBe(url);
  expect(payment).not.toBe('');
});

test('five wrong payment passwords lock refunds until an admin unlocks them', async ({ page, browser }) => {
  await signInAs(page, 'operator@sakura.example');
  await setPaymentPassword(page);
  await freshPayment(page, 'sakura', 'ALIPAY_CN');
  await startRefund(page, '1');
  for (const left of ['4 attempts', '3 attempts', '2 attempts', 'One attempt']) {
    await submitWith(page, 'not-the-password');
    await expect(dialog(page).getByText(`Incorrect payment password. ${left} left`, { exact: false })).toBeVisible();
    await expect(dialog(page).getByText('(PAYMENT_PASSWORD_INCORRECT)')).toBeVisible();
  }
  await submitWith(page, 'not-the-password');
  // Said once, with when the lock ends.
  await expect(dialog(page).getByText(/your refunds are locked/)).toHaveCount(1);
  await expect(dialog(page).getByText(/your refunds are locked until/)).toBeVisible();
  await expect(dialog(page).getByText('(REFUNDS_LOCKED)')).toBeVisible();
  await expect(dialog(page).getByRole('button', { name: 'Submit refund' })).toBeDisabled();

  const admin = await signedInPage(browser, 'admin@sakura.example');
  await admin.goto('/settings/users');
  await waitForHydration(admin);
  await admin.getByRole('button', { name: 'Unlock refunds for operator@sakura.example', exact: true }).click();
  await expect(admin.getByRole('button', { name: 'Unlock refunds for operator@sakura.example', exact: true })).toHaveCount(0);

  await page.reload();
  await waitForHydration(page);
  await submitWith(page, PAYMENT_PASSWORD);
  await expect(dialog(page).getByText('Refund successful')).toBeVisible();
});

test('a double submit refunds once', async ({ page }) => {
  await signInAs(page, 'operator@harbour.example');
  await setPaymentPassword(page);
  const payment = await freshPayment(page, 'harbour', 'ALIPAY_CN');
  await startRefund(page, '1.00');
  await dialog(page).getByLabel('Payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  // Two submits of the same form before the first answers, as a double click can make.
  await dialog(page).locator('form').evaluate((form: HTMLFormElement) => {
    form.requestSubmit();
    form.requestSubmit();
  });
  await expect(dialog(page).getByText('Refund successful')).toBeVisible();
  // The same form posted again (the back button and resubmit) answers the same refund.
  const url = new URL(page.url());
  const again = await page.request.post('/api/submit_refund', {
    form: {
      transaction_id: payment,
      refund_request_id: url.searchParams.get('rid') ?? '',
      amount: '1.00',
      reason: '',
      payment_password: PAYMENT_PASSWORD,
    },
    headers: { accept: 'text/html', origin: url.origin },
    maxRedirects: 0,
  });
  expect(again.headers()['location']).toBe(`${url.pathname}${url.search}`);
  // A reload of the result changes nothing either.
  await page.reload();
  await waitForHydration(page);
  await expect(dialog(page).getByText('Refund successful')).toBeVisible();
  await expect(related(page).getByRole('row').filter({ hasText: 'Refund' })).toHaveCount(1);
});

test('the server refuses a viewer and another merchant’s user', async ({ page, browser }) => {
  await signInAs(page, 'viewer@lotus.example');
  const payment = await freshPayment(page, 'lotus', 'ALIPAY_HK');
  // The button is greyed out with the reason...
  await expect(page.getByRole('button', { name: 'Refund', exact: true })).toBeDisabled();
  await expect(page.getByText('Your role (Viewer) cannot refund.')).toBeVisible();
  // ...and a request made by hand is refused by the server.
  const form = {
    transaction_id: payment,
    refund_request_id: 'DASH-forged-by-a-viewer',
    amount: '1',
    reason: '',
    payment_password: PAYMENT_PASSWORD,
  };
  const origin = new URL(page.url()).origin;
  const asViewer = await page.request.post('/api/submit_refund', {
    form,
    headers: { accept: 'application/json', origin },
  });
  expect(asViewer.status()).toBe(403);

  // An operator of another merchant naming this payment gets no refund either.
  const other = await signedInPage(browser, 'admin@fjord.example');
  const forged = await other.request.post('/api/submit_refund', {
    form: { ...form, refund_request_id: 'DASH-forged-by-fjord' },
    headers: { accept: 'text/html', origin },
    maxRedirects: 0,
  });
  expect(forged.headers()['location'] ?? '').not.toContain('refund=result');

  await page.reload();
  await expect(related(page).getByRole('row').filter({ hasText: 'Refund' })).toHaveCount(0);
});
