import AxeBuilder from '@axe-core/playwright';
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { type Lang, t, untranslated } from './catalogue';
import { DEMO_PASSWORD, PAYMENT_PASSWORD, createUser, seedPayment, signIn, waitForHydration } from './helpers';

// Once per language: a new admin of Harbour Foods signs in, chooses the language in the top
// bar and walks the main flows (overview, query with filters, export, details, payment
// password, refund, reports, users), finding every element by its translated role and
// label. On every page, nothing may be left in English (any text of the English catalogue
// that the language translates differently, in the text or in labels, titles and
// placeholders), no catalogue key may show instead of its text, and axe-core finds nothing.

const NAMES: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文', 'pt-BR': 'Português (Brasil)' };
// The new admins' names, as people reading each language are named.
const PEOPLE: Record<Lang, string> = { en: 'Ada Lovelace', 'zh-CN': '李伟', 'pt-BR': 'Ana Souza' };

/** A new admin of Harbour Books with no language of their own. */
function newAdmin(lang: Lang): string {
  return createUser('Harbour Books', 'admin', `lang-${lang.toLowerCase()}`, PEOPLE[lang]);
}

/** The page in `lang` as a reader of it sees it: nothing English, no keys, and nothing
 * for axe. `data` is the merchant's own text on the page, left out of the check. */
async function expectTranslated(page: Page, lang: Lang, what: string, data: string[] = []): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  expect.soft(await untranslated(page, lang, data), `English or keys on ${what} in ${lang}`).toEqual([]);
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect.soft(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${what} in ${lang}`).toEqual([]);
}

async function navigate(page: Page, lang: Lang, key: string): Promise<void> {
  await page.getByRole('navigation', { name: t(lang, 'shell.main_navigation') }).getByRole('link', { name: t(lang, key), exact: true }).click();
  await waitForHydration(page);
}

for (const lang of ['zh-CN', 'pt-BR'] as Lang[]) {
  test(`the main flows in ${NAMES[lang]}`, async ({ page }) => {
    test.setTimeout(360_000);
    const email = newAdmin(lang);
    const { payment } = seedPayment('harbour', 'ALIPAY_CN', { amount: '123.45' });

    // Signed in in English (the browser's language), the top bar's menu switches.
    await signIn(page, email, DEMO_PASSWORD);
    await expect(page.getByRole('banner')).toContainText(email);
    await waitForHydration(page);
    // The menu's summary reads "Language: English".
    await page.getByRole('banner').locator('summary', { hasText: t('en', 'shell.language') }).click();
    await page.getByRole('button', { name: NAMES[lang], exact: true }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: t(lang, 'overview.title') })).toBeVisible();
    await expectTranslated(page, lang, 'the overview');

    // The choice is the user's: a new visit is in it too.
    await page.goto('/');
    await expect(page.getByRole('button', { name: t(lang, 'shell.sign_out') })).toBeVisible();

    // The query with a filter, applied from the filter bar.
    await navigate(page, lang, 'shell.nav_transactions');
    await expect(page.getByRole('heading', { level: 1, name: t(lang, 'transactions.title') })).toBeVisible();
    await page.getByLabel(t(lang, 'transactions.currency'), { exact: true }).selectOption('USD');
    await page.getByRole('button', { name: t(lang, 'transactions.apply_filters') }).click();
    await expect(page).toHaveURL(/currency=USD/);
    await expect(page.getByRole('list', { name: t(lang, 'transactions.active_filters') })).toBeVisible();
    await expectTranslated(page, lang, 'the query');

    // An amount typed with the language's decimal separator.
    const decimal = lang === 'pt-BR' ? '123,45' : '123.45';
    await page.getByLabel(t(lang, 'transactions.amount_from'), { exact: true }).fill(decimal);
    await page.getByLabel(t(lang, 'transactions.amount_to'), { exact: true }).fill(decimal);
    await page.getByRole('button', { name: t(lang, 'transactions.apply_filters') }).click();
    await expect(page).toHaveURL(/min=/);
    const table = page.getByRole('table', { name: t(lang, 'transactions.table') });
    await expect(table.getByRole('link', { name: payment })).toBeVisible();
    const amount = lang === 'pt-BR' ? '123,45 USD' : '123.45 USD';
    await expect(table).toContainText(amount);

    // An export of the filter.
    await page.getByText(t(lang, 'exports.export'), { exact: true }).click();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: t(lang, 'exports.csv') }).click();
    expect((await downloading).suggestedFilename()).toMatch(/\.csv$/);
    await expectTranslated(page, lang, 'the query with the export panel');

    // The payment password, set from the settings.
    await navigate(page, lang, 'shell.nav_settings');
    await expectTranslated(page, lang, 'the settings');
    await page.getByRole('link', { name: t(lang, 'settings.payment_password'), exact: true }).click();
    await waitForHydration(page);
    await page.getByLabel(t(lang, 'payment_password.sign_in_password'), { exact: true }).fill(DEMO_PASSWORD);
    await page.getByLabel(t(lang, 'payment_password.new'), { exact: true }).fill(PAYMENT_PASSWORD);
    await page.getByLabel(t(lang, 'payment_password.confirm_new'), { exact: true }).fill(PAYMENT_PASSWORD);
    await page.getByRole('button', { name: t(lang, 'payment_password.set') }).click();
    await expect(page.getByText(t(lang, 'payment_password.done_set'))).toBeVisible();
    await expectTranslated(page, lang, 'the payment password');

    // The payment's details, and a refund of part of it with the payment password, the
    // amount typed with the language's decimal separator.
    await page.goto(`/transactions/${payment}`);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(payment);
    await expectTranslated(page, lang, 'the details');
    await page.getByRole('button', { name: t(lang, 'details.refund'), exact: true }).click();
    const dialog = page.getByRole('dialog', { name: t(lang, 'refund.title') });
    await expect(dialog).toBeVisible();
    await waitForHydration(page);
    const part = lang === 'pt-BR' ? '1,50' : '1.50';
    await dialog.getByLabel(t(lang, 'refund.amount_label', { currency: 'USD' }), { exact: true }).fill(part);
    await expectTranslated(page, lang, 'the refund dialog');
    await dialog.getByRole('button', { name: t(lang, 'refund.continue_button') }).click();
    await dialog.getByLabel(t(lang, 'refund.payment_password'), { exact: true }).fill(PAYMENT_PASSWORD);
    await expectTranslated(page, lang, 'the refund confirmation');
    await dialog.getByRole('button', { name: t(lang, 'refund.submit') }).click();
    await expect(dialog.getByText(t(lang, 'refund.success_title'))).toBeVisible();
    await expect(dialog).toContainText(lang === 'pt-BR' ? '1,50 USD' : '1.50 USD');
    // The page behind the dialog has the new refund among the payment's related ones.
    const related = page.getByRole('region', { name: t(lang, 'details.scrollable', { title: t(lang, 'details.related_transactions') }) });
    await expect(related.getByRole('cell', { name: t(lang, 'status.success') })).toBeVisible();
    await expectTranslated(page, lang, 'the refund result');
    // The dialog covers the page: closed from its result, as a person would.
    await dialog.getByRole('link', { name: t(lang, 'refund.close'), exact: true }).last().click();
    await expect(dialog).toHaveCount(0);

    // The reports calendar.
    await navigate(page, lang, 'shell.nav_reports');
    await expect(page.getByRole('heading', { level: 1, name: t(lang, 'reports.title') })).toBeVisible();
    await expect(page.getByRole('grid')).toBeVisible();
    await expectTranslated(page, lang, 'the reports');

    // The admin's users.
    await navigate(page, lang, 'shell.nav_settings');
    await page.getByRole('link', { name: t(lang, 'settings.users'), exact: true }).click();
    await waitForHydration(page);
    const users = page.getByRole('table', { name: t(lang, 'settings.users') });
    await expect(users).toContainText(email);
    // The demo users' names ("Yuki Viewer") are the merchant's data, not the page's text.
    const names = await users.locator('tbody tr td:first-child').allInnerTexts();
    await expectTranslated(page, lang, 'the users', names);

    // The admin's API keys and audit log; the log has this walk's events, in the language.
    await page.getByRole('link', { name: t(lang, 'settings.api_keys'), exact: true }).click();
    await waitForHydration(page);
    await expectTranslated(page, lang, 'the API keys');
    await page.getByRole('link', { name: t(lang, 'settings.audit_log'), exact: true }).click();
    await waitForHydration(page);
    const log = page.getByRole('table', { name: t(lang, 'settings.audit_log') });
    await expect(log).toContainText(t(lang, 'audit.actions.payment_password_set'));
    // Made processing or at once, as the method refunds: either way in the language.
    const made = [t(lang, 'audit.details.refund_successful', { payment }), t(lang, 'audit.details.refund_processing', { payment })];
    await expect(log.getByRole('cell', { name: new RegExp(made.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')) })).toBeVisible();
    // The actors are people's addresses, the merchant's data.
    const actors = await log.locator('tbody tr td:nth-child(2)').allInnerTexts();
    await expectTranslated(page, lang, 'the audit log', actors);

    // The approvals (none for this merchant) with the admin's limits, and batch refunds.
    await navigate(page, lang, 'shell.nav_approvals');
    await expect(page.getByRole('heading', { level: 1, name: t(lang, 'approvals.title') })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: t(lang, 'approvals.limits_title') })).toBeVisible();
    await expectTranslated(page, lang, 'the approvals');
    await navigate(page, lang, 'shell.nav_batches');
    await expect(page.getByRole('heading', { level: 1, name: t(lang, 'batches.title') })).toBeVisible();
    await expectTranslated(page, lang, 'the batch refunds');

    // The receipt check, as anyone given a receipt opens it.
    await page.goto('/receipts/verify');
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: t(lang, 'receipt_verify.title') })).toBeVisible();
    await expectTranslated(page, lang, 'the receipt check');
  });
}

test("a visitor chooses the sign-in page's language, and the browser keeps it", async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // From the keyboard: the menu's summary, then the language's button.
  await page.locator('summary', { hasText: t('en', 'shell.language') }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: NAMES['zh-CN'], exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1, name: t('zh-CN', 'login.sign_in') })).toBeVisible();
  await page.goto('/receipts/verify');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expectTranslated(page, 'zh-CN', 'the receipt check, signed out');
  await page.goto('/login');
  await expectTranslated(page, 'zh-CN', 'the sign-in page');
});

test('a browser asking for Portuguese gets the sign-in page in it', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'pt-BR' });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.getByRole('heading', { level: 1, name: t('pt-BR', 'login.sign_in') })).toBeVisible();
  await expect(page.getByLabel(t('pt-BR', 'login.password'), { exact: true })).toBeVisible();
  expect(await untranslated(page, 'pt-BR')).toEqual([]);
  await context.close();
});
