// A page fixture that fails the test on anything the browser would complain about:
// an uncaught error in the page, a console error, a request that failed, or a static
// asset of the site (/pkg/, scripts, styles, images) that did not load. So a broken
// hydration or a missing /pkg file cannot pass unnoticed.
//
// Error answers the tests ask for on purpose (a 404 page, a 400 from a server function
// for a bad option) are answers, not failures: they are checked where they are expected,
// and the browser's "Failed to load resource: … status of 4xx" console line for them is
// not counted twice. Static assets are checked here whatever their status.
import { test as base, expect } from '@playwright/test';

const ASSET_TYPES = new Set(['script', 'stylesheet', 'image', 'font']);

export const test = base.extend({
  page: async ({ page }, use) => {
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
      problems.push(`console error: ${m.text()}`);
    });
    page.on('requestfailed', (r) => {
      const failure = r.failure()?.errorText || '';
      // A download or a navigation the test moved on from is cancelled, not failed.
      if (failure.includes('ERR_ABORTED')) return;
      problems.push(`request failed: ${r.url()} ${failure}`);
    });
    page.on('response', (r) => {
      const url = new URL(r.url());
      const asset = url.pathname.startsWith('/pkg/') || ASSET_TYPES.has(r.request().resourceType());
      if (asset && r.status() >= 400) problems.push(`asset ${url.pathname} answered ${r.status()}`);
    });
    await use(page);
    expect(problems, problems.join('\n')).toEqual([]);
  },
});

/** Waits until the wasm has hydrated the page (hydrate() marks <html class="js">). */
export async function hydrated(page) {
  await expect(page.locator('html.js')).toHaveCount(1, { timeout: 15_000 });
}

export { expect };
