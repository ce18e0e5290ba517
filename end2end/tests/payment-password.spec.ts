import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// The payment password form's refusals show beside their field with the WASM running,
// as they do without it. Lotus Tea House's admin, who has no payment password yet.

test('each refused payment password says why, beside the field', async ({ page }) => {
  await signIn(page, 'admin@lotus.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Lotus Tea House');
  await page.goto('/settings/payment-password');
  await waitForHydration(page);
  const attempt = async (login: string, password: string, confirm: string, message: string) => {
    await page.getByLabel('Sign-in password', { exact: true }).fill(login);
    await page.getByLabel('New payment password', { exact: true }).fill(password);
    await page.getByLabel('Confirm new payment password', { exact: true }).fill(confirm);
    // The browser's own length check is bypassed to reach the server's.
    await page.getByLabel('New payment password', { exact: true }).evaluate((el) => el.removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Set payment password' }).click();
    await expect(page.getByText(message, { exact: false })).toBeVisible();
    await waitForHydration(page);
  };
  await attempt('not my password', 'pay-2468-ok', 'pay-2468-ok', 'Incorrect sign-in password.');
  await attempt(DEMO_PASSWORD, 'pay-2468-ok', 'pay-2468-no', 'The new passwords do not match.');
  await attempt(DEMO_PASSWORD, 'short', 'short', 'Use at least 8 characters.');
  await attempt(DEMO_PASSWORD, 'aaaaaaaaaa', 'aaaaaaaaaa', 'Use more than one distinct character.');
  // None of them set a password.
  await expect(page.getByRole('button', { name: 'Set payment password' })).toBeVisible();
});
