import { test, expect, hydrated } from './fixtures.mjs';

test('the coverage page puts problems first, shows bars, and filters', async ({ page }) => {
  await page.goto('/coverage');
  const lab = page.locator('#coverage-table tr[data-cluster^="loopback-lab-"]');
  // The first sweep runs right after start; reload until it has been recorded.
  await expect(async () => {
    await page.reload();
    await expect(lab).toHaveAttribute('data-status', 'partially reachable', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  // Problems first: the first row is a partially reachable cluster (the sample's
  // stand-in exporters have one too, and names break the tie).
  await expect(page.locator('#coverage-table tbody tr').first()).toHaveAttribute('data-status', 'partially reachable');
  await expect(lab).toContainText('1 of 2');
  await expect(lab).toContainText('not enabled');
  // The node exporter answers on one broker of two: a half-full bar, drawn as a warning.
  await expect(lab.locator('.bar .fill')).toHaveCount(1);
  await expect(lab.locator('.bar.warn .fill')).toHaveAttribute('style', /^width:\s*50%;?$/);
  await expect(page.locator('#coverage-totals')).toContainText('brokers whose enabled exporters all answer');

  await hydrated(page);
  await page.selectOption('select[name=region]', 'eu-west-1');
  await expect(page.locator('#coverage-table tbody tr')).toHaveCount(1);
  await expect(page.locator('#coverage-table tbody tr')).toContainText('orders-prod');
  await page.selectOption('select[name=region]', '');
  await expect(page.locator('#coverage-table tbody tr')).toHaveCount(6);
  // A sweep on request: the last-sweep time moves (times are to the second).
  const before = await page.locator('#sweep-status').innerText();
  const second = Math.floor(Date.now() / 1000);
  await expect.poll(() => Math.floor(Date.now() / 1000)).toBeGreaterThan(second);
  await page.getByRole('button', { name: 'Probe all now' }).click();
  await expect(page.locator('#sweep-status')).not.toHaveText(before, { timeout: 10_000 });
  await expect(page.locator('#sweep-status')).toContainText('Last sweep finished');
  await expect(page.getByRole('button', { name: 'Probe all now' })).toBeEnabled({ timeout: 10_000 });
});

test('the cluster page shows each broker exporter and probes on demand', async ({ page }) => {
  await page.goto('/?q=loopback');
  await page.getByRole('link', { name: 'loopback-lab' }).click();
  const row1 = page.locator('#broker-table tr[data-broker="1"]');
  const row2 = page.locator('#broker-table tr[data-broker="2"]');
  await expect(async () => {
    await page.reload();
    await expect(row1.locator('td.probe').nth(1)).toHaveAttribute('data-state', 'up', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(row1.locator('td.probe').nth(1)).toContainText('host up');
  await expect(row2.locator('td.probe').nth(1)).toContainText('connection refused');
  await expect(row1.locator('td.probe').nth(0)).toHaveAttribute('data-state', 'off');
  await hydrated(page);
  const before = await page.locator('#probe-status').innerText();
  await page.getByRole('button', { name: 'Probe now' }).click();
  await expect(page.locator('#probe-status')).not.toHaveText(before, { timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Probe now' })).toBeEnabled();
});
