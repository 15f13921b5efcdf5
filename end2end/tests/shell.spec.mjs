import { test, expect, hydrated } from './fixtures.mjs';

test('the shell hydrates: the theme switch changes the document', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.site-header .brand')).toContainText('msk-console');
  await expect(page.locator('.site-footer')).toContainText('msk-console 0.');
  await hydrated(page);
  const html = page.locator('html');
  await expect(html).not.toHaveAttribute('data-theme', /.+/);
  await page.getByRole('button', { name: /Theme/ }).click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: /Theme/ }).click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  // The choice survives a reload.
  await page.reload();
  await hydrated(page);
  await expect(html).toHaveAttribute('data-theme', 'dark');
});

test('an unknown page is a readable 404', async ({ page }) => {
  const resp = await page.goto('/no/such/page');
  expect(resp.status()).toBe(404);
  await expect(page.getByRole('alert')).toContainText('There is no page at this address');
});
