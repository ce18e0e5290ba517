import { type Page } from '@playwright/test';
import { expect, test } from '../tests/fixtures';
import { type Lang } from '../tests/catalogue';
import { DEMO_PASSWORD, seedPayment, signIn, waitForHydration } from '../tests/helpers';

// The main screens in each language at a desktop's and a phone's width, into
// docs/screenshots/ (English without a suffix, the others as `-zh-CN` and `-pt-BR`). The
// language comes from the browser's, as for a user who has not chosen one.
const OUT = '../docs/screenshots';

const widths = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];
const langs: Lang[] = ['en', 'zh-CN', 'pt-BR'];

async function shoot(page: Page, name: string, width: string, lang: Lang, fullPage = false): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  const suffix = lang === 'en' ? '' : `-${lang}`;
  await page.screenshot({ path: `${OUT}/${name}-${width}${suffix}.png`, fullPage });
}

for (const lang of langs) {
  test.describe(lang, () => {
    test.use({ locale: lang });
    for (const { name: width, viewport } of widths) {
      test(`the overview, query, details, refund dialog and reports at ${width} width in ${lang}`, async ({ page }) => {
        await page.setViewportSize(viewport);
        const { payment } = seedPayment('lotus', 'ALIPAY_CN', { amount: '1288.00', refund: '88.00' });
        await signIn(page, 'admin@lotus.example', DEMO_PASSWORD, lang);
        await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
        await expect(page.locator('html')).toHaveAttribute('lang', lang);

        // The overview's whole page: its charts run below the first screen.
        await page.goto('/?range=30d');
        await waitForHydration(page);
        await expect(page.locator('.chart-svg svg').first()).toBeVisible();
        await shoot(page, 'overview', width, lang, true);

        await page.goto('/transactions');
        await waitForHydration(page);
        await expect(page.getByRole('table')).toBeVisible();
        await shoot(page, 'transactions', width, lang);

        await page.goto(`/transactions/${payment}`);
        await waitForHydration(page);
        await expect(page.getByRole('heading', { level: 1 })).toContainText(payment);
        await shoot(page, 'details', width, lang);

        await page.locator('#refund-open').click();
        await expect(page.getByRole('dialog')).toBeVisible();
        await shoot(page, 'refund-dialog', width, lang);

        await page.goto('/reports');
        await waitForHydration(page);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await shoot(page, 'reports', width, lang);
      });
    }
  });
}
