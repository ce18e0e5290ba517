import { readFileSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { DEMO_PASSWORD, PAYMENT_PASSWORD, createUser, seedPayment, setPaymentPassword, signIn, waitForHydration } from './helpers';

// Batch refunds as a new operator of Lotus Tea House does them: the template, a file
// with a wrong header refused next to the field, then a file of three refunds (one
// naming no payment) checked, confirmed with the payment password, followed to the
// end, its results downloaded, and each refund found on its payment.

async function uploadFile(page: Page, name: string, text: string): Promise<void> {
  await page.getByLabel('File (CSV or XLSX)', { exact: true }).setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(text, 'utf8'),
  });
  await page.getByRole('button', { name: 'Check the file' }).click();
}

test('a file of refunds is checked, confirmed, run to the end and its results downloaded', async ({ page }) => {
  test.setTimeout(180_000);
  const operator = createUser('Lotus Tea House', 'operator', 'b', 'Bruno Batch');
  const first = seedPayment('lotus', 'GCASH', { amount: '100.00' }).payment;
  const second = seedPayment('lotus', 'GCASH', { amount: '80.00' }).payment;
  await signIn(page, operator, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText(operator);
  await setPaymentPassword(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batch refunds' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Batch refunds' })).toBeVisible();
  await waitForHydration(page);

  // The template, as a file.
  const template = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the template (CSV)' }).click();
  const templateFile = await template;
  expect(templateFile.suggestedFilename()).toBe('refund-batch-template.csv');
  expect(readFileSync(await templateFile.path(), 'utf8')).toMatch(/^transaction_id,amount,currency,reason,refund_request_id/);

  // A wrong header: refused, with the column named, next to the field.
  await uploadFile(page, 'wrong.csv', 'transaction_id,valor,currency\nPAY-1,1,CNY\n');
  await expect(page.getByRole('alert')).toContainText('"valor"');
  await expect(page.getByLabel('File (CSV or XLSX)', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  // Three rows: two refunds and a payment that does not exist.
  const csv = `transaction_id,amount,currency,reason\n${first},12.50,CNY,Recall 召回\n${second},,CNY,Evento cancelado\nNO-SUCH-PAYMENT,1.00,CNY,\n`;
  await uploadFile(page, 'recall.csv', csv);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Refund batch recall.csv');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Checked, not confirmed');
  await waitForHydration(page);
  const rows = page.getByRole('table', { name: 'Rows' });
  await expect(rows.getByRole('row').filter({ hasText: first })).toContainText('Would refund 12.50 CNY');
  await expect(rows.getByRole('row').filter({ hasText: second })).toContainText('Would refund 80.00 CNY');
  await expect(rows.getByRole('row').filter({ hasText: 'NO-SUCH-PAYMENT' })).toContainText('ORDER_NOT_EXIST');
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText('92.50 CNY');

  // Confirmed with the payment password: the job runs it, the page follows.
  await page.getByLabel('Your payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await page.getByRole('button', { name: 'Confirm and refund' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Done', { timeout: 30_000 });
  await expect(page.getByRole('status')).toHaveText('3 of 3 rows done');
  await expect(page.getByRole('progressbar', { name: 'Progress' })).toHaveAttribute('value', '3');
  await expect(rows.getByRole('row').filter({ hasText: first })).toContainText('SUCCESS');

  // The results: the input with each refund's ID and status.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the results (CSV)' }).click();
  const results = readFileSync(await (await download).path(), 'utf8').split('\n');
  expect(results[0]).toBe('line,transaction_id,amount,currency,reason,refund_request_id,payment_id,planned_amount,planned_code,refund_id,status,message');
  expect(results[1]).toContain(`${first},12.50,CNY`);
  expect(results[1]).toContain(',SUCCESS,');
  expect(results[3]).toContain('ORDER_NOT_EXIST');

  // Each refund is on its payment, as any refund.
  await page.goto(`/transactions/${encodeURIComponent(first)}`);
  await waitForHydration(page);
  await expect(page.getByRole('table', { name: 'Related transactions' })).toContainText('12.50 CNY');
  await expect(page.getByText(/^Refundable: 87\.50 CNY/)).toBeVisible();
});
