import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

const ADMIN = 'admin@lotus.example';
const MERCHANT = 'Lotus Tea House';

test('an admin signs in and sees their merchant in the top bar', async ({ page }) => {
  await signIn(page, ADMIN, DEMO_PASSWORD);

  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByRole('banner')).toContainText(MERCHANT);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('a wrong password shows an error and stays on the sign-in page', async ({ page }) => {
  await signIn(page, ADMIN, 'not-the-password');

  await expect(page.getByText('Incorrect email or password')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('signing out returns to the sign-in page and protects the app again', async ({ page }) => {
  await signIn(page, ADMIN, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText(MERCHANT);
  await waitForHydration(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  // The session is gone: a protected page sends the visitor back to sign in.
  await page.goto('/transactions');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel('Email', { exact: true })).toBeVisible();
});
