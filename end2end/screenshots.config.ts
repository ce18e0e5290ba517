import base from './playwright.config';

// The README's screenshots, taken by scripts/screenshots.sh against the demo data: the
// same browser and server as the browser tests, pictures instead of assertions.
export default { ...base, testDir: './screenshots' };
