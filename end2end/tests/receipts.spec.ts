import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { readFile } from 'node:fs/promises';
import { DEMO_PASSWORD, seedPayment, signIn, waitForHydration } from './helpers';

// Refund receipts from a refund's details page. Each merchant gets one new payment with
// a successful refund, made once for these tests.

const MERCHANT_SLUGS: Record<string, string> = {
  'Lotus Tea House': 'lotus',
  'Sakura Electronics': 'sakura',
};
const found = new Map<string, string>();

/** A successful refund of the signed-in merchant (an Alipay refund settles at once). */
async function firstRefund(page: Page): Promise<string> {
  const merchant = (await page.locator('.merchant-name').innerText()).trim();
  const known = found.get(merchant);
  if (known) return known;
  const { refund } = seedPayment(MERCHANT_SLUGS[merchant], 'ALIPAY_CN', { refund: '10' });
  found.set(merchant, refund!);
  return refund!;
}

const LANGUAGES = [
  { name: 'English', tag: 'en' },
  { name: '简体中文', tag: 'zh-CN' },
  { name: 'Português (Brasil)', tag: 'pt-BR' },
];

test.describe('as an admin of Lotus Tea House', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
    await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
  });

  test('a successful refund downloads its receipt in each language', async ({ page }) => {
    const refund = await firstRefund(page);
    await page.goto(`/transactions/${encodeURIComponent(refund)}`);
    await waitForHydration(page);
    // Slow the PDF down a little so that the progress message can be seen.
    await page.route('**/receipts/*.pdf*', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    const menu = page.locator('details.receipt-menu');
    await menu.getByText('Download refund receipt').click();
    for (const { name, tag } of LANGUAGES) {
      const download = page.waitForEvent('download');
      await menu.getByRole('link', { name }).click();
      await expect(menu.getByRole('status')).toHaveText('Preparing your receipt…');
      const file = await download;
      expect(file.suggestedFilename()).toBe(`refund-receipt-${refund}-${tag}.pdf`);
      const bytes = await readFile((await file.path())!);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(bytes.length).toBeLessThan(200 * 1024);
      await expect(menu.getByRole('status')).toHaveText('Your receipt has been downloaded.');
    }
  });

  test('the menu is keyboard accessible', async ({ page }) => {
    const refund = await firstRefund(page);
    await page.goto(`/transactions/${encodeURIComponent(refund)}`);
    await waitForHydration(page);
    const summary = page.locator('details.receipt-menu summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    const english = page.locator('details.receipt-menu').getByRole('link', { name: 'English' });
    await expect(english).toBeVisible();
    await english.focus();
    const download = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    expect((await download).suggestedFilename()).toBe(`refund-receipt-${refund}-en.pdf`);
  });

  test('a payment offers no receipt unless it has a successful refund', async ({ page }) => {
    const refund = await firstRefund(page);
    await page.goto(`/transactions/${encodeURIComponent(refund)}`);
    await waitForHydration(page);
    // From the refund to its payment: the payment lists the refund's receipt too.
    await page.getByRole('table', { name: 'Original payment' }).getByRole('link').first().click();
    await expect(page.locator('details.receipt-menu').first()).toBeVisible();
  });

  test("another merchant's refund receipt is refused", async ({ page, browser }) => {
    const sakura = await browser.newPage();
    await signIn(sakura, 'admin@sakura.example', DEMO_PASSWORD);
    await expect(sakura.getByRole('banner')).toContainText('Sakura Electronics');
    const foreign = await firstRefund(sakura);
    const own = await sakura.request.get(`/receipts/${encodeURIComponent(foreign)}.pdf?lang=en`);
    expect(own.status()).toBe(200);
    await sakura.close();

    const response = await page.request.get(`/receipts/${encodeURIComponent(foreign)}.pdf?lang=en`);
    expect(response.status()).toBe(404);
    expect(await response.text()).toContain('No refund of your merchant has this ID.');
  });
});

test('the verification page rejects a made-up code', async ({ page }) => {
  await page.goto('/receipts/verify?refund=NO-SUCH-REFUND&code=AAAAA-BBBBB-CCCCC-DDDDD');
  await expect(page.getByRole('heading', { name: 'Not genuine' })).toBeVisible();
});

test.describe('before the app script has loaded', () => {
  test('the receipt links are plain downloads', async ({ page }) => {
    await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
    await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
    const refund = await firstRefund(page);
    await page.goto(`/transactions/${encodeURIComponent(refund)}`);
    await waitForHydration(page);
    const menu = page.locator('details.receipt-menu');
    for (const { name, tag } of LANGUAGES) {
      const href = await menu.getByRole('link', { name, includeHidden: true }).getAttribute('href');
      expect(href).toBe(`/receipts/${encodeURIComponent(refund)}.pdf?lang=${tag}`);
      // What the browser gets when it follows the link itself.
      const response = await page.request.get(href!);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('application/pdf');
      expect(response.headers()['content-disposition']).toBe(
        `attachment; filename="refund-receipt-${refund}-${tag}.pdf"`,
      );
    }
  });
});
