import { test as base } from '@playwright/test';

// In the runs at other dates (scripts/test.sh), the server and PostgreSQL run with their
// clocks shifted by FAKETIME ("+N" or "-N" seconds); the browser gets the same shift, so
// that every clock of a test agrees. Pages opened through `browser.newContext()` by a
// test itself keep the real clock.
const shift = Number(process.env.FAKETIME || '0') * 1000;

export const test = base.extend({
  context: async ({ context }, use) => {
    if (shift) await context.clock.install({ time: new Date(Date.now() + shift) });
    await use(context);
  },
});

export { expect } from '@playwright/test';
