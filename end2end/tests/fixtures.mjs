// A page fixture that fails the test on any uncaught error in the page, so a broken
// hydration cannot pass unnoticed.
import { test as base, expect } from '@playwright/test';

export const test = base.extend({
  page: async ({ page }, use) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await use(page);
    expect(errors, `page errors: ${errors.map(String).join('\n')}`).toEqual([]);
  },
});

/** Waits until the wasm has hydrated the page (hydrate() marks <html class="js">). */
export async function hydrated(page) {
  await expect(page.locator('html.js')).toHaveCount(1, { timeout: 15_000 });
}

export { expect };
