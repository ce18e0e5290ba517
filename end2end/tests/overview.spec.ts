import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, daysBefore, seedPayment, signIn, waitForHydration } from './helpers';

// The overview as a viewer uses it: the figures of a period agree with the transaction
// query a bar opens, the period and the currency are switched from the page (and kept
// in the URL), each chart's numbers are a table behind a toggle and a file to download,
// and nothing goes wrong in the browser's console on the way.

/** The console's errors and the page's uncaught exceptions, from now on. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

test('a viewer reads the overview, switches period and currency and follows a bar to the query', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = consoleErrors(page);
  // Payments made now, in yuan and in Hong Kong dollars: today's figures have at least
  // them, in two currencies.
  seedPayment('lotus', 'ALIPAY_CN', { amount: '12.34' });
  seedPayment('lotus', 'ALIPAY_HK', { amount: '8.00' });
  await signIn(page, 'viewer@lotus.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('viewer@lotus.example');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  // Today, from the presets; the period is in the URL.
  const presets = page.getByRole('navigation', { name: 'Period' });
  await presets.getByRole('link', { name: 'Today' }).click();
  await expect(page).toHaveURL(/range=today/);
  await expect(presets.getByRole('link', { name: 'Today' })).toHaveAttribute('aria-current', 'true');
  const currency = await page.getByLabel('Currency', { exact: true }).inputValue();
  expect(currency).toMatch(/^[A-Z]{3}$/);
  const figures = page.getByRole('list', { name: 'Key figures' });
  const payments = figures.getByRole('listitem').filter({ hasText: 'Payments' }).locator('.tile-value');
  const count = Number((await payments.innerText()).replace(/,/g, ''));
  expect(count).toBeGreaterThan(0);

  // Today's hours as a table, and the chart's numbers as a file.
  await page.getByText('Show the data as a table').first().click();
  const table = page.getByRole('table', { name: 'Payment volume per day' });
  await expect(table.getByRole('row')).toHaveCount(25);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download data: Payment volume per day' }).click();
  expect((await downloading).suggestedFilename()).toMatch(new RegExp(`^paydesk-paid-volume-${currency}-.*\\.csv$`));

  // The Payment bar of the types opens the query of exactly those payments.
  const types = page.getByRole('group', { name: 'Transactions by type' });
  await types.getByRole('link', { name: /^Payment\b/ }).click();
  await expect(page).toHaveURL(/\/transactions\?.*kind=PAYMENT/);
  await waitForHydration(page);
  const matching = count === 1 ? '1 transaction' : `${count.toLocaleString('en-US')} transactions`;
  await expect(page.getByText(matching, { exact: true })).toBeVisible();

  // Back to the overview: the last 7 days in another currency, chosen in the form.
  await page.goto('/?range=7d');
  await waitForHydration(page);
  const options = await page.getByLabel('Currency', { exact: true }).locator('option').allInnerTexts();
  const other = options.find((c) => c !== currency);
  expect(other, `another currency than ${currency} in ${options}`).toBeDefined();
  await page.getByLabel('Currency', { exact: true }).selectOption(other!);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`currency=${other}`));
  await expect(figures.getByRole('listitem').first()).toContainText(other!);

  // A custom period longer than the query allows: the bars say so and do not link.
  const today = await page.getByLabel('To', { exact: true }).inputValue();
  await page.getByLabel('From', { exact: true }).fill(daysBefore(today, 59));
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`from=${daysBefore(today, 59)}`));
  await expect(page.getByText(/The bars open the transaction query for periods of up to 40 days/)).toBeVisible();
  await expect(page.locator('.chart-svg a')).toHaveCount(0);

  // A period the overview cannot show: the message is next to the dates.
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(daysBefore(today, 1));
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('alert')).toHaveText('The start date is after the end date.');
  await expect(page.getByLabel('From', { exact: true })).toHaveAttribute('aria-describedby', 'o-range-error');

  expect(errors).toEqual([]);
});

test('the overview reads the same without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill('viewer@lotus.example');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto('/?range=30d');
  await expect(page.getByRole('list', { name: 'Key figures' }).getByRole('listitem')).toHaveCount(5);
  await expect(page.locator('.chart-svg svg').first()).toBeVisible();
  await page.getByRole('link', { name: 'Last 7 days' }).click();
  await expect(page).toHaveURL(/range=7d/);
  await context.close();
});

for (const role of ['admin', 'operator', 'finance']) {
  test(`the ${role} opens on the overview too`, async ({ page }) => {
    const errors = consoleErrors(page);
    await signIn(page, `${role}@lotus.example`, DEMO_PASSWORD);
    await expect(page.getByRole('banner')).toContainText(`${role}@lotus.example`);
    await waitForHydration(page);
    await expect(page.getByRole('list', { name: 'Key figures' }).getByRole('listitem')).toHaveCount(5);
    await expect(page.getByRole('region', { name: 'Balances, scrollable' })).toBeVisible();
    expect(errors).toEqual([]);
  });
}
