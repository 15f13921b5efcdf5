import { test, expect, hydrated } from './fixtures.mjs';

// The sample inventory's stand-in exporters (sample mode) give orders-prod 3
// under-replicated partitions on broker 2, and events-kraft a broker that is down.
async function probed(page, path, locator) {
  await page.goto(path);
  await expect(async () => {
    await page.reload();
    await expect(locator).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
}

test('health is shown per cluster on the coverage page and the list, with its reason', async ({ page }) => {
  const orders = page.locator('#coverage-table tr[data-cluster^="orders-prod-"]');
  await probed(page, '/coverage', orders.locator('[data-health]'));
  await expect(orders.locator('td.health-cell')).toContainText('3 under-replicated partitions on broker 2');
  await expect(orders.locator('[data-health]')).toHaveAttribute('data-health', /warning|unknown/);
  const ycs = page.locator('#coverage-table tr[data-cluster^="ycshinmsk-"]');
  await expect(ycs.locator('[data-health]')).toHaveAttribute('data-health', 'healthy');
  await expect(page.locator('#health-totals')).toContainText('healthy');
  await expect(page.locator('#sample-banner')).toContainText('stand-ins');
  // The lab cluster's JMX exporter is off: there is nothing to judge, and it says so.
  await expect(page.locator('#coverage-table tr[data-cluster^="loopback-lab-"] td.health-cell')).toHaveText('—');
  // The downloads for the clusters shown.
  await expect(page.locator('#coverage-downloads a[href^="/prometheus-rules.yml"]')).toBeVisible();

  await page.goto('/');
  const row = page.locator('#cluster-table tr[data-cluster^="events-kraft-"]');
  await expect(row.locator('[data-health]')).toHaveAttribute('data-health', 'unknown');
  await expect(row).toContainText('JMX exporter not answering on broker 3');
});

test('the cluster page shows each broker health and whether clients connect to each listener', async ({ page }) => {
  const health = page.locator('#cluster-health');
  await page.goto('/?q=orders-prod');
  await page.getByRole('link', { name: 'orders-prod' }).click();
  await expect(async () => {
    await page.reload();
    await expect(health).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(health).toContainText('3 under-replicated partitions on broker 2');
  await expect(health).toContainText('1 active controller');
  await expect(page.locator('#sample-banner')).toContainText('Sample data');
  await expect(page.locator('#broker-table tr[data-broker="2"] [data-health]')).toHaveAttribute('data-health', 'warning');
  await expect(page.locator('#broker-table tr[data-broker="1"] [data-health]')).toHaveAttribute('data-health', 'healthy');
  // Every listener, TLS with the sample CA included, answers ApiVersions.
  const tls = page.locator('#bootstrap-table tr[data-listener="tls"] td.connect');
  await expect(tls).toHaveAttribute('data-connect', 'ok');
  await expect(tls).toContainText('TLS ok, Kafka answered ApiVersions in');
  await expect(page.locator('#bootstrap-table td.connect[data-connect="ok"]')).toHaveCount(6);
  await hydrated(page);

  // A broker that is down: its listener fails, and says why.
  await page.goto('/?q=events-kraft');
  await page.getByRole('link', { name: 'events-kraft' }).click();
  const iam = page.locator('#bootstrap-table tr[data-listener="sasl-iam"] td.connect');
  await expect(iam).toHaveAttribute('data-connect', 'failed');
  await expect(iam).toContainText(':9098: connection refused (1 of 3 failed)');
  await expect(page.locator('#cluster-health')).toContainText('JMX exporter not answering on broker 3');
});

test('the alert rules are offered on the Downloads panel', async ({ page }) => {
  await page.goto('/?q=orders-prod');
  await page.getByRole('link', { name: 'orders-prod' }).click();
  await hydrated(page);
  await page.selectOption('select[name=file]', 'prometheus-rules');
  await expect(page.locator('#preview-name')).toHaveText(/orders-prod-prometheus-rules\.yml$/);
  await expect(page.locator('#preview')).toContainText('alert: "MskUnderReplicatedPartitions"');
  await expect(page.locator('#download-link')).toHaveAttribute('href', /\/prometheus-rules\.yml/);
});
