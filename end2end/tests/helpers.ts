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
