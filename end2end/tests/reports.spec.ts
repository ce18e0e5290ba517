import { readFileSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// Lotus Tea House is in Asia/Shanghai; the calendar states its "today", so the tests
// read it from the page instead of computing it from the machine's clock.

function dayBefore(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

async function signInAs(page: Page, email: string): Promise<void> {
  await signIn(page, email, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
}

async function todayOnCalendar(page: Page): Promise<string> {
  const text = await page.getByText(/today is \d{4}-\d{2}-\d{2}/).innerText();
  return /today is (\d{4}-\d{2}-\d{2})/.exec(text)![1];
}

/** The names stored in a zip's central directory (they are not compressed). */
function zipNames(path: string): string[] {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  const names: string[] = [];
  for (let i = 0; i + 46 < bytes.length; i++) {
    if (bytes.readUInt32LE(i) === 0x02014b50) {
      const length = bytes.readUInt16LE(i + 28);
      names.push(bytes.subarray(i + 46, i + 46 + length).toString('utf8'));
    }
  }
  return names;
}

test('finance downloads a closed day as a zip of .csv and .xlsx; today is not offered', async ({ page }) => {
  await signInAs(page, 'finance@lotus.example');
  await page.goto('/reports');
  await waitForHydration(page);
  const today = await todayOnCalendar(page);
  await expect(page.locator(`[data-period="${today}"]`)).toContainText('Not yet available');
  await expect(page.locator(`[data-period="${today}"]`).getByRole('link', { name: 'Download' })).toHaveCount(0);

  const yesterday = dayBefore(today);
  const [y, m] = yesterday.split('-').map(Number);
  await page.goto(`/reports?year=${y}&month=${m}`);
  await waitForHydration(page);
  const cell = page.locator(`[data-period="${yesterday}"]`);
  await expect(cell).toContainText('transactions');
  await cell.hover();
  const downloading = page.waitForEvent('download');
  await cell.getByRole('link', { name: 'Download' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`lotus-tea-house_daily_${yesterday}_Asia-Shanghai.zip`);
  const path = await download.path();
  expect(zipNames(path!)).toEqual([
    `lotus-tea-house_daily_${yesterday}_Asia-Shanghai.csv`,
    `lotus-tea-house_daily_${yesterday}_Asia-Shanghai.xlsx`,
  ]);

  // Once made, the report's checksum shows in its cell.
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator(`[data-period="${yesterday}"] .cell-checksum`)).toContainText('sha256 ');

  await page.goto(`/reports?view=year&year=${y}`);
  await waitForHydration(page);
  await expect(page.getByTestId('calendar-title')).toHaveText(String(y));
});

test('the query page exports the current filter as .csv with progress', async ({ page }) => {
  await signInAs(page, 'finance@lotus.example');
  await page.goto('/transactions');
  await waitForHydration(page);
  await page.getByText('Export', { exact: true }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export .csv' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(
    /^lotus-tea-house_transactions_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}_Asia-Shanghai\.csv$/,
  );
  const text = readFileSync((await download.path())!, 'utf8');
  expect(text.split('\r\n')[0]).toContain('Transaction ID');
  expect(text.split('\r\n').length).toBeGreaterThan(2);
  await expect(page.getByRole('status')).toContainText('Downloaded');
});

test('viewers get neither the calendar nor exports', async ({ page }) => {
  await signInAs(page, 'viewer@lotus.example');
  await page.goto('/reports');
  await expect(page.getByText('Not available for your role')).toBeVisible();
  const response = await page.request.get('/exports/transactions.csv');
  expect(response.status()).toBe(403);
});
