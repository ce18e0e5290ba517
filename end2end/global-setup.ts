import type { FullConfig } from '@playwright/test';

// The server may still be migrating or binding its port when the tests start (e.g. under
// `cargo leptos end-to-end`, which does not wait): poll /healthz before any test runs.
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL =
    process.env.BASE_URL ?? config.projects[0]?.use?.baseURL ?? 'http://127.0.0.1:3000';
  const url = new URL('/healthz', baseURL).toString();
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer 200 within 60 s (last: ${last})`);
}
