import { execFileSync } from 'node:child_process';
import { expect, type Page } from '@playwright/test';
import { type Lang, t } from './catalogue';

export const DEMO_PASSWORD = 'paydesk-demo';
/** The payment password the tests set for the users who refund. */
export const PAYMENT_PASSWORD = 'pay-2468-ok';

// Clicks made before the WASM bundle hydrates the page are lost, so wait for the marker
// the app sets on <body> once hydration is done.
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in on the login page, which is in `lang` (the browser's language). */
export async function signIn(page: Page, email: string, password: string, lang: Lang = 'en'): Promise<void> {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel(t(lang, 'login.email'), { exact: true }).fill(email);
  await page.getByLabel(t(lang, 'login.password'), { exact: true }).fill(password);
  await page.getByRole('button', { name: t(lang, 'login.sign_in') }).click();
}

/** Signs in through the plain form, as a browser without JavaScript does (nothing to
 * wait for to hydrate), and waits for the merchant's first page. */
export async function signInWithoutScript(page: Page, email: string, merchant: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText(merchant);
}

/** The date `days` before the YYYY-MM-DD `isoDate`. */
export function daysBefore(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** Opens the query for the 40 days up to today in the merchant's zone, plus `extra`. */
export async function openQuery(page: Page, extra = ''): Promise<void> {
  await page.goto('/transactions');
  await waitForHydration(page);
  const today = await page.getByLabel('Created to', { exact: true }).inputValue();
  await page.goto(`/transactions?from=${daysBefore(today, 39)}&to=${today}${extra}`);
  await waitForHydration(page);
}

/** A new user of a demo merchant (by name), through `server user create`, with the demo
 * sign-in password; returns their e-mail address, unique to this call. */
export function createUser(merchant: string, role: string, prefix: string, name: string): string {
  const bin = process.env.PAYDESK_SERVER_BIN;
  if (!bin) throw new Error('PAYDESK_SERVER_BIN is not set: run the browser tests through scripts/test.sh');
  const domain = merchant.split(' ')[0].toLowerCase();
  // Unique, and short: the users page lists it beside the demo users.
  const tag = (Date.now() % 36 ** 3).toString(36) + Math.floor(Math.random() * 36 ** 2).toString(36);
  const email = `${prefix}${tag}@${domain}.example`;
  const env = { ...process.env, PAYDESK_PASSWORD: DEMO_PASSWORD };
  if (process.env.PAYDESK_FAKETIME_LIB) env.LD_PRELOAD = process.env.PAYDESK_FAKETIME_LIB;
  execFileSync(bin, ['user', 'create', '--merchant', merchant, '--role', role, '--email', email, '--name', name], { env });
  return email;
}

/** What `server seed payment` made: a new successful payment, and its refund if asked. */
export interface SeededPayment {
  payment: string;
  refund?: string;
}

/**
 * Adds a successful payment, made just now, to a demo merchant (`lotus`, `sakura`,
 * `harbour`, `fjord`) through `server seed payment`, so that a test has the record it
 * needs whatever the date and the rest of the demo data. scripts/test.sh passes the
 * server binary, the database and, for runs at another date, the clock it runs under.
 */
export function seedPayment(
  merchant: string,
  method: string,
  { acquirer, amount, refund }: { acquirer?: string; amount?: string; refund?: string } = {},
): SeededPayment {
  const bin = process.env.PAYDESK_SERVER_BIN;
  if (!bin) throw new Error('PAYDESK_SERVER_BIN is not set: run the browser tests through scripts/test.sh');
  const args = ['seed', 'payment', '--merchant', merchant, '--method', method];
  if (acquirer) args.push('--acquirer', acquirer);
  if (amount) args.push('--amount', amount);
  if (refund) args.push('--refund', refund);
  // At another date the command must run under the same clock as the server.
  const env = { ...process.env };
  if (process.env.PAYDESK_FAKETIME_LIB) env.LD_PRELOAD = process.env.PAYDESK_FAKETIME_LIB;
  const out = execFileSync(bin, args, { env, encoding: 'utf8' });
  const [payment, refundId] = out.trim().split('\n');
  return { payment, refund: refundId };
}

/** Sets the signed-in user's first payment password on the settings page. */
export async function setPaymentPassword(page: Page): Promise<void> {
  await page.goto('/settings/payment-password');
  await waitForHydration(page);
  await page.getByLabel('Sign-in password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel('New payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await page.getByLabel('Confirm new payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await page.getByRole('button', { name: 'Set payment password' }).click();
  await expect(page.getByText('Your payment password is set.')).toBeVisible();
}

/** From the refund dialog's confirmation: follows "Change password", sets the user's
 * first payment password and comes back to the confirmation. */
export async function setPaymentPasswordFromDialog(page: Page): Promise<void> {
  await page.getByRole('dialog', { name: 'Refund' }).getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Payment password' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Sign-in password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel('New payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await page.getByLabel('Confirm new payment password', { exact: true }).fill(PAYMENT_PASSWORD);
  await page.getByRole('button', { name: 'Set payment password' }).click();
  await expect(page.getByRole('dialog', { name: 'Refund' }).getByLabel('Payment password', { exact: true })).toBeVisible();
}
