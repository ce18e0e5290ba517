import { type Page } from '@playwright/test';
import { expect, test } from '../tests/fixtures';
import { DEMO_PASSWORD, seedPayment, signIn, waitForHydration } from '../tests/helpers';

// The main screens at a desktop's and a phone's width, into docs/screenshots/.
const OUT = '../docs/screenshots';

const widths = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

async function shoot(page: Page, name: string, width: string): Promise<void> {
  await expect(page.getByText('Loading…')).toHaveCount(0);
  await page.screenshot({ path: `${OUT}/${name}-${width}.png` });
}

for (const { name: width, viewport } of widths) {
  test(`the query, details, refund dialog and reports at ${width} width`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const { payment } = seedPayment('lotus', 'ALIPAY_CN', { amount: '1288.00', refund: '88.00' });
    await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
    await expect(page.getByRole('banner')).toContainText('Lotus Tea House');

    await page.goto('/transactions');
    await waitForHydration(page);
    await expect(page.getByRole('table', { name: 'Transactions' })).toBeVisible();
    await shoot(page, 'transactions', width);

    await page.goto(`/transactions/${payment}`);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(payment);
    await shoot(page, 'details', width);

    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    await expect(page.getByRole('dialog', { name: 'Refund' })).toBeVisible();
    await shoot(page, 'refund-dialog', width);

    await page.goto('/reports');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await shoot(page, 'reports', width);
  });
}
