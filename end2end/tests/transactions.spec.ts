import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  DEMO_PASSWORD,
  daysBefore,
  openQuery,
  seedPayment,
  signIn,
  signInWithoutScript,
  waitForHydration,
} from './helpers';

// Demo data is deterministic but relative to today, so tests read values from the page
// (a row's currency, a payment's IDs) rather than hard-coding them.

const table = (page: Page) => page.getByRole('table', { name: 'Transactions' });

/** The texts of one column of the results table, found by its header. */
async function column(page: Page, header: string): Promise<string[]> {
  const headers = await table(page).getByRole('columnheader').allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === header);
  expect(index, `column ${header} in ${headers}`).toBeGreaterThanOrEqual(0);
  const rows = table(page).getByRole('row');
  const count = await rows.count();
  const values: string[] = [];
  for (let i = 1; i < count; i++) {
    values.push((await rows.nth(i).getByRole('cell').nth(index).innerText()).trim());
  }
  return values;
}

/** Runs `action`, which navigates within the query page, and waits for its new results. */
async function reloaded(page: Page, action: () => Promise<unknown>): Promise<void> {
  const response = page.waitForResponse((r) => r.url().includes('/api/search_transactions'));
  await action();
  await response;
  await expect(page.getByText('Loading…')).toHaveCount(0);
}

async function apply(page: Page): Promise<void> {
  await reloaded(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
  await expect(table(page).or(page.getByText('No transactions match these filters.'))).toBeVisible();
  // Only the form's named fields reach the URL: no stray empty parameter.
  expect(page.url()).not.toMatch(/[?&]=/);
}

/** A field's value on the details page, by its label. */
async function detail(page: Page, label: string): Promise<string> {
  const value = page.locator('dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
  // IDs sit beside their Copy button: read the ID alone.
  const id = value.locator('.mono');
  return ((await id.count()) > 0 ? await id.innerText() : await value.innerText()).trim();
}

test.describe('as an admin of Lotus Tea House', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
    await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
  });

  test('each list filter narrows the rows to its value', async ({ page }) => {
    await openQuery(page);
    const first = {
      type: (await column(page, 'Transaction type'))[0],
      method: (await column(page, 'Payment method type'))[0],
      acquirer: (await column(page, 'Acquirer'))[0],
      amount: (await column(page, 'Amount'))[0],
    };
    const currency = first.amount.split(' ')[1];

    await page.getByLabel('Currency', { exact: true }).selectOption(currency);
    await apply(page);
    for (const amount of await column(page, 'Amount')) expect(amount).toContain(` ${currency}`);

    await openQuery(page);
    await page.getByLabel('Transaction type', { exact: true }).selectOption({ label: first.type });
    await apply(page);
    expect(new Set(await column(page, 'Transaction type'))).toEqual(new Set([first.type]));

    await openQuery(page);
    await page.getByLabel('Payment method type', { exact: true }).selectOption(first.method);
    await apply(page);
    expect(new Set(await column(page, 'Payment method type'))).toEqual(new Set([first.method]));

    await openQuery(page);
    await page.getByLabel('Acquirer', { exact: true }).selectOption(first.acquirer);
    await apply(page);
    expect(new Set(await column(page, 'Acquirer'))).toEqual(new Set([first.acquirer]));

    await openQuery(page);
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Successful' });
    await apply(page);
    expect(new Set(await column(page, 'Status'))).toEqual(new Set(['Successful']));

    await openQuery(page);
    await page.getByLabel('Currency', { exact: true }).selectOption(currency);
    const [value] = first.amount.split(' ');
    await page.getByLabel('Amount from', { exact: true }).fill(value.replace(/,/g, ''));
    await page.getByLabel('Amount to', { exact: true }).fill(value.replace(/,/g, ''));
    await apply(page);
    expect(new Set(await column(page, 'Amount'))).toEqual(new Set([first.amount]));
  });

  test('serial no. and creation dates filter too', async ({ page }) => {
    await openQuery(page);
    const id = (await column(page, 'Transaction ID'))[0];
    const created = (await column(page, 'Creation time'))[0].slice(0, 10);
    await table(page).getByRole('link', { name: id }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(id);
    const serial = await detail(page, 'Serial no.');

    await openQuery(page);
    await page.getByLabel('Serial no.', { exact: true }).fill(serial);
    await apply(page);
    expect(await column(page, 'Transaction ID')).toEqual([id]);

    await openQuery(page);
    await page.getByLabel('Created from', { exact: true }).fill(created);
    await page.getByLabel('Created to', { exact: true }).fill(created);
    await apply(page);
    for (const time of await column(page, 'Creation time')) expect(time.startsWith(created)).toBeTruthy();
  });

  test('a range over 40 days is refused with a message beside the date', async ({ page }) => {
    await openQuery(page);
    const today = await page.getByLabel('Created to', { exact: true }).inputValue();
    await page.getByLabel('Created from', { exact: true }).fill(daysBefore(today, 60));
    await reloaded(page, () => page.getByRole('button', { name: 'Apply filters' }).click());
    await expect(page.getByText('The creation time range can be at most 40 days.')).toBeVisible();
    await expect(table(page)).toHaveCount(0);
  });

  test('a malformed URL gets messages, not a server error', async ({ page }) => {
    const response = await page.goto('/transactions?from=2026-02-31&currency=%3Cscript%3E&size=100000');
    expect(response?.status()).toBe(200);
    await expect(page.getByText('Enter a date as YYYY-MM-DD.')).toBeVisible();
    await expect(page.getByText('Choose a currency from the list (ISO 4217 code).')).toBeVisible();
    await expect(page.getByText('Choose 20, 50 or 100 rows per page.')).toBeVisible();
  });

  test('each ID type finds its transaction whatever the dates say', async ({ page }) => {
    const { payment: id } = seedPayment('lotus', 'ALIPAY_CN');
    await openQuery(page, `&id_type=transaction_id&id=${id}`);
    await table(page).getByRole('link', { name: id }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(id);
    const ids: Record<string, string> = {
      'Transaction ID': id,
      'Reference transaction ID': await detail(page, 'Reference transaction ID'),
      'Transaction request ID': await detail(page, 'Transaction request ID'),
      'Acquirer transaction ID': await detail(page, 'Acquirer transaction ID'),
    };
    for (const [type, value] of Object.entries(ids)) {
      // Dates far in the past: an exact ID ignores them.
      await page.goto('/transactions?from=2020-01-01&to=2020-01-05');
      await waitForHydration(page);
      await page.getByLabel('ID type', { exact: true }).selectOption({ label: type });
      await page.getByLabel('ID', { exact: true }).fill(value);
      await reloaded(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
      await expect(table(page).getByRole('link', { name: id })).toBeVisible();
    }
  });

  test('paging forward and back returns the same rows', async ({ page }) => {
    await openQuery(page);
    const firstPage = await column(page, 'Transaction ID');
    expect(firstPage).toHaveLength(20);
    await reloaded(page, () => page.getByRole('link', { name: 'Next' }).click());
    await expect(page).toHaveURL(/after=/);
    const secondPage = await column(page, 'Transaction ID');
    expect(secondPage[0]).not.toEqual(firstPage[0]);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    await reloaded(page, () => page.getByRole('link', { name: 'Previous' }).click());
    await expect(page).toHaveURL(/before=/);
    expect(await column(page, 'Transaction ID')).toEqual(firstPage);
    await reloaded(page, () => page.goBack());
    await expect(page).toHaveURL(/after=/);
    expect(await column(page, 'Transaction ID')).toEqual(secondPage);
  });

  test('date presets, filter chips, the count, sorting by amount and opening a row', async ({ page }) => {
    // Two payments made now, in the currency Lotus takes Alipay in: the largest and the
    // smallest of today's amounts, whatever else today holds.
    const large = seedPayment('lotus', 'ALIPAY_CN', { amount: '987654.32' });
    const small = seedPayment('lotus', 'ALIPAY_CN', { amount: '0.01' });
    await page.goto('/transactions');
    await waitForHydration(page);
    const presets = page.getByRole('navigation', { name: 'Date presets' });
    await reloaded(page, () => presets.getByRole('link', { name: 'Today' }).click());
    await expect(presets.getByRole('link', { name: 'Today' })).toHaveAttribute('aria-current', 'true');
    const today = await page.getByLabel('Created to', { exact: true }).inputValue();
    expect(await page.getByLabel('Created from', { exact: true }).inputValue()).toEqual(today);
    await expect(page.getByText(/^[\d,]+\+? transactions?/)).toBeVisible();

    // Narrowed to the payments' currency, shown as a chip.
    await page.getByLabel('ID', { exact: true }).fill(large.payment);
    await reloaded(page, () => page.getByRole('button', { name: 'Search' }).click());
    const currency = (await column(page, 'Amount'))[0].split(' ')[1];
    await openQuery(page);
    await reloaded(page, () => presets.getByRole('link', { name: 'Today' }).click());
    await page.getByLabel('Currency', { exact: true }).selectOption(currency);
    await apply(page);
    const chips = page.getByRole('list', { name: 'Active filters' });
    await expect(chips.getByRole('listitem')).toHaveText([`Currency: ${currency}×`]);

    // Sorted by amount from its column header: the largest first, then the other way.
    const amountHeader = table(page).getByRole('columnheader', { name: 'Amount', exact: true });
    await reloaded(page, () => amountHeader.getByRole('link').click());
    await expect(page).toHaveURL(/sort=amount_desc/);
    await expect(amountHeader).toHaveAttribute('aria-sort', 'descending');
    expect((await column(page, 'Transaction ID'))[0]).toEqual(large.payment);
    const amounts = (await column(page, 'Amount')).map((a) => Number(a.split(' ')[0].replace(/,/g, '')));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    await reloaded(page, () => amountHeader.getByRole('link').click());
    await expect(amountHeader).toHaveAttribute('aria-sort', 'ascending');
    expect((await column(page, 'Transaction ID'))[0]).toEqual(small.payment);
    await expect(page.getByText(/^Page total:/)).toContainText(currency);

    // Removing the currency's chip keeps the dates; amounts no longer sort.
    await reloaded(page, () => chips.getByRole('link', { name: `Remove filter Currency: ${currency}` }).click());
    await expect(page).not.toHaveURL(/currency=|sort=/);
    await expect(page).toHaveURL(new RegExp(`from=${today}&to=${today}`));
    await expect(chips).toHaveCount(0);
    await expect(amountHeader.getByRole('link')).toHaveCount(0);

    // A click anywhere on a row opens its details; from the keyboard, the ID link does.
    await page.getByLabel('ID', { exact: true }).fill(small.payment);
    await reloaded(page, () => page.getByRole('button', { name: 'Search' }).click());
    await table(page).getByRole('row').nth(1).getByRole('cell').last().click();
    await expect(page).toHaveURL(new RegExp(`/transactions/${small.payment}$`));
    await expect(page.getByRole('heading', { level: 1 })).toContainText(small.payment);
    expect(await detail(page, 'Payment method type')).toEqual('Alipay');
    await page.goBack();
    await table(page).getByRole('link', { name: small.payment }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(small.payment);
  });

  test('a payment shows its related refunds, and a refund its payment', async ({ page }) => {
    const { payment, refund } = seedPayment('lotus', 'ALIPAY_CN', { refund: '10' });
    await openQuery(page, `&kind=REFUND&id_type=transaction_id&id=${refund}`);
    await table(page).getByRole('link', { name: refund! }).click();
    const original = page.getByRole('table', { name: 'Original payment' });
    await expect(original.getByRole('row')).toHaveCount(2);
    await original.getByRole('link', { name: payment }).click();
    const related = page.getByRole('table', { name: 'Related transactions' });
    await expect(related.getByRole('link', { name: refund! })).toBeVisible();
    await expect(related).toContainText('Refund');
    await expect(page.getByRole('button', { name: 'Refund' })).toBeVisible();
  });

  test('the display settings survive a reload', async ({ page }) => {
    await openQuery(page);
    await page.getByText('Display settings').click();
    await page.getByRole('button', { name: 'Show Serial no.' }).click();
    await expect(table(page).getByRole('columnheader', { name: 'Serial no.' })).toBeVisible();
    await page.reload();
    await waitForHydration(page);
    await expect(table(page).getByRole('columnheader', { name: 'Serial no.' })).toBeVisible();
    // Leave the user's settings as they were.
    await page.getByText('Display settings').click();
    await page.getByRole('button', { name: 'Hide Serial no.' }).click();
    await expect(table(page).getByRole('columnheader', { name: 'Serial no.' })).toHaveCount(0);
  });
});

test('a payment whose method has no refunds has the Refund button greyed out with the reason', async ({ page }) => {
  await signIn(page, 'admin@sakura.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Sakura Electronics');
  const { payment } = seedPayment('sakura', 'KONBINI');
  await page.goto(`/transactions/${payment}`);
  const refund = page.getByRole('button', { name: 'Refund' });
  await expect(refund).toBeDisabled();
  await expect(refund).toHaveAccessibleDescription('The payment method does not support refunds.');
});

test("another merchant's transaction answers 404", async ({ browser }) => {
  const sakura = await browser.newPage();
  await signIn(sakura, 'admin@sakura.example', DEMO_PASSWORD);
  await expect(sakura.getByRole('banner')).toContainText('Sakura Electronics');
  await openQuery(sakura);
  const foreign = (await column(sakura, 'Transaction ID'))[0];
  await sakura.close();

  const lotus = await browser.newPage();
  await signIn(lotus, 'admin@lotus.example', DEMO_PASSWORD);
  await expect(lotus.getByRole('banner')).toContainText('Lotus Tea House');
  const response = await lotus.goto(`/transactions/${foreign}`);
  expect(response?.status()).toBe(404);
  await expect(lotus.getByRole('heading', { name: 'Transaction not found' })).toBeVisible();
  await lotus.close();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in, filtering and paging work as plain forms and links', async ({ page }) => {
    await signInWithoutScript(page, 'admin@lotus.example', 'Lotus Tea House');
    await page.goto('/transactions');
    const today = await page.getByLabel('Created to', { exact: true }).inputValue();
    await page.getByLabel('Created from', { exact: true }).fill(daysBefore(today, 39));
    await page.getByLabel('Transaction type', { exact: true }).selectOption({ label: 'Payment' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/kind=PAYMENT/);
    expect(new Set(await column(page, 'Transaction type'))).toEqual(new Set(['Payment']));
    const first = await column(page, 'Transaction ID');
    await page.getByRole('link', { name: 'Next' }).click();
    await expect(page).toHaveURL(/after=/);
    expect((await column(page, 'Transaction ID'))[0]).not.toEqual(first[0]);
  });
});
