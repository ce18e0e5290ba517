import { defineConfig, devices } from '@playwright/test';

// The server is started by scripts/test.sh, which passes its address in BASE_URL.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  // scripts/test.sh points this at target/test-logs/ so that its run and an ad-hoc run in
  // end2end/ don't wipe each other's traces (Playwright empties the folder at start).
  outputDir: process.env.PLAYWRIGHT_OUTPUT_DIR ?? 'test-results',
  globalSetup: './global-setup.ts',
  // One worker: the dev server and the database share two cores with the browser, and
  // the tests sign in as shared demo users.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        // Debian's Chromium: Playwright's own browser download is not available here.
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          // --no-sandbox: the tests run as root. The networking flags stop Chromium's
          // background calls home, which a closed network refuses noisily.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
