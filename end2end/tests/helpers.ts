import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'paydesk-demo';

// Clicks made before the WASM bundle hydrates the page are lost, so wait for the marker
// the app sets on <body> once hydration is done.
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
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
