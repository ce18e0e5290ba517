import { generateKeyPairSync } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// These tests act as Fjord Outdoor's admin and create their own users and client ids
// (unique per run), so that no other spec's demo users are touched.
const ADMIN = 'admin@fjord.example';
const run = Date.now().toString(36);

async function openAsAdmin(page: Page, path: string): Promise<void> {
  await signIn(page, ADMIN, DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Fjord Outdoor');
  await page.goto(path);
  await waitForHydration(page);
}

test('an admin adds a user, changes their role, disables them and finds it in the audit log', async ({
  page,
  browser,
}) => {
  const email = `temp-${run}@fjord.example`;
  const password = 'a long enough password';
  await openAsAdmin(page, '/settings/users');

  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Name', { exact: true }).fill('Temp Operator');
  await page.getByLabel('Role', { exact: true }).selectOption('operator');
  await page.getByLabel('Initial sign-in password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Add user', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(`${email}: user created.`);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Temp Operator');
  await expect(row).toContainText('Not set');
  await expect(row).toContainText('Never');

  // The new user signs in with the password the admin chose.
  const other = await browser.newContext();
  const theirs = await other.newPage();
  await signIn(theirs, email, password);
  await expect(theirs.getByRole('banner')).toContainText('Operator');

  await page.getByLabel(`Role of ${email}`, { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: `Change role of ${email}`, exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(`${email}: role changed.`);
  await expect(page.getByLabel(`Role of ${email}`, { exact: true })).toHaveValue('viewer');
  await theirs.reload();
  await expect(theirs.getByRole('banner')).toContainText('Viewer');

  await page.getByRole('button', { name: `Disable ${email}`, exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(`${email}: disabled; their sessions have ended.`);
  await expect(row).toContainText('Disabled');
  await expect(page.getByRole('button', { name: `Enable ${email}`, exact: true })).toBeVisible();
  // Their open session stops working at once.
  await theirs.goto('/transactions');
  await expect(theirs).toHaveURL(/\/login/);
  await other.close();

  // The admin cannot disable themselves: there is no button for it.
  await expect(page.getByRole('button', { name: `Disable ${ADMIN}`, exact: true })).toHaveCount(0);

  await page.goto('/settings/audit');
  await waitForHydration(page);
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Role changed' });
  await page.getByLabel('Actor email contains', { exact: true }).fill('admin@fjord');
  await page.getByRole('button', { name: 'Apply filters', exact: true }).click();
  await expect(page).toHaveURL(/action=ROLE_CHANGED/);
  const log = page.getByRole('table', { name: 'Audit log' });
  const change = log.getByRole('row').filter({ hasText: email });
  await expect(change).toHaveCount(1);
  await expect(change).toContainText('Operator → Viewer');
  await expect(change).toContainText(ADMIN);
  await expect(log.getByRole('row').filter({ hasText: 'User disabled' })).toHaveCount(0);

  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'User disabled' });
  await page.getByRole('button', { name: 'Apply filters', exact: true }).click();
  await expect(log.getByRole('row').filter({ hasText: email })).toContainText('User disabled');
});

test('a new user with a short password is refused with the message by the field', async ({ page }) => {
  await openAsAdmin(page, '/settings/users');
  const email = `short-${run}@fjord.example`;
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Name', { exact: true }).fill('Short Password');
  // The browser's own minimum length check is bypassed to reach the server's.
  await page.getByLabel('Initial sign-in password', { exact: true }).evaluate((el) => el.removeAttribute('minlength'));
  await page.getByLabel('Initial sign-in password', { exact: true }).fill('too short');
  await page.getByRole('button', { name: 'Add user', exact: true }).click();
  await expect(page.getByText('Use a sign-in password of at least 12 characters.')).toBeVisible();
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
  await expect(page.getByRole('row').filter({ hasText: email })).toHaveCount(0);
});

test('an admin uploads an RSA public key and sees the platform key', async ({ page }) => {
  const { publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await openAsAdmin(page, '/settings/api-keys');
  await expect(page.getByLabel('Paydesk public key (PEM)', { exact: true })).toContainText('BEGIN PUBLIC KEY');
  await expect(page.getByRole('button', { name: 'Copy public key', exact: true })).toBeVisible();

  // Paydesk names new client ids: the admin picks "new", never types an id.
  await page.getByLabel('Client id', { exact: true }).selectOption({ label: 'New sandbox client id (SANDBOX_…)' });
  await page.getByLabel('Public key (PEM)', { exact: true }).fill('not a key');
  await page.getByRole('button', { name: 'Upload key', exact: true }).click();
  await expect(page.getByText('Not an RSA public key')).toBeVisible();

  await page.getByLabel('Client id', { exact: true }).selectOption({ label: 'New sandbox client id (SANDBOX_…)' });
  await page.getByLabel('Public key (PEM)', { exact: true }).fill(publicKey);
  await page.getByRole('button', { name: 'Upload key', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(/^Key version 1 of SANDBOX_[A-Z2-9]{16} added\.$/);
  const clientId = /of (SANDBOX_[A-Z2-9]{16})/.exec(await page.getByRole('status').innerText())![1];
  const row = page.getByRole('row').filter({ hasText: clientId });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('1');

  // The next upload to that id is its version 2; the first stays.
  await page.getByLabel('Client id', { exact: true }).selectOption(clientId);
  await page.getByLabel('Public key (PEM)', { exact: true }).fill(publicKey);
  await page.getByRole('button', { name: 'Upload key', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(`Key version 2 of ${clientId} added.`);
  await expect(page.getByRole('row').filter({ hasText: clientId })).toHaveCount(2);
});

test('the admin pages are not available to other roles', async ({ page }) => {
  await signIn(page, 'operator@fjord.example', DEMO_PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Fjord Outdoor');
  for (const path of ['/settings/users', '/settings/api-keys', '/settings/audit']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByText('Not available for your role')).toBeVisible();
  }
  await expect(page.getByRole('link', { name: 'Users', exact: true })).toHaveCount(0);
});
