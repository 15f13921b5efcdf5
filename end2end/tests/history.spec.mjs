// The history, walked the way a team lead would: a cluster changes (a broker is added
// and Kafka upgraded, by rewriting the inventory file the console reads), the change
// appears in the global timeline, the filter finds it, and its link opens the diff and
// from there the client information as it was recorded.
import { writeFileSync } from 'node:fs';
import { test, expect, hydrated } from './fixtures.mjs';

const file = process.env.E2E_HISTORY_FILE;

function inventory(version, brokers) {
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  return `source = "history-lab"

[[cluster]]
name = "audit-log"
region = "lab-2"
kind = "self-managed"
kafka_version = "${version}"
auth = { tls = true }
monitoring = { jmx_exporter = false, node_exporter = false }
bootstrap = { tls = "${ids.map((i) => `127.0.0.${30 + i}:9094`).join(',')}" }
brokers = [ ${ids.map((i) => `{ id = ${i}, endpoints = ["127.0.0.${30 + i}"] }`).join(', ')} ]
`;
}

/** Rewrites the file, asks for a refresh and waits until the history has a change matching `kind`. */
async function change(request, text, kind) {
  writeFileSync(file, text);
  const r = await request.post('/sfn/refresh', { form: {} });
  expect(r.ok()).toBeTruthy();
  await expect.poll(async () => {
    const changes = await (await request.get(`/api/changes?source=history-lab&kind=${kind}`)).json();
    return changes.entries.length;
  }, { timeout: 20_000 }).toBeGreaterThan(0);
}

test.afterAll(async ({ request }) => {
  // Leave the inventory as the other tests expect it: without this cluster.
  writeFileSync(file, 'source = "history-lab"\n');
  await request.post('/sfn/refresh', { form: {} });
  await expect.poll(async () => (await (await request.get('/api/clusters')).json()).clusters.length,
    { timeout: 20_000 }).toBe(6);
});

test('a change in the timeline leads to its diff and to the client information then', async ({ page, request }) => {
  expect(file, 'playwright.config.mjs sets E2E_HISTORY_FILE').toBeTruthy();
  await change(request, inventory('3.7.1', 2), 'added');
  await change(request, inventory('3.8.0', 3), 'brokers');

  await page.goto('/history');
  await hydrated(page);
  await expect(page.locator('#coverage-chart')).toBeVisible();
  // Filter the timeline to broker changes, as a plain GET form.
  await page.selectOption('#history-filter select[name=kind]', 'brokers');
  await page.locator('#history-filter').getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=brokers/);
  const row = page.locator('#timeline tbody tr', { hasText: 'audit-log' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Broker 3 added: 127.0.0.33');

  await row.locator('a.change-link').click();
  await expect(page).toHaveURL(/\/clusters\/audit-log-[0-9a-f]{10}\/diff\?to=\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('audit-log: what changed');
  const diff = page.locator('#diff-table');
  await expect(diff.locator('tr[data-kind="version"] td.before')).toHaveText('3.7.1');
  await expect(diff.locator('tr[data-kind="version"] td.after')).toHaveText('3.8.0');
  const added = diff.locator('tr[data-kind="brokers"]', { hasText: 'Broker 3' });
  await expect(added.locator('td.before')).toHaveText('—');
  await expect(added.locator('td.after')).toHaveText('127.0.0.33');
  await expect(diff.locator('tr[data-kind="bootstrap"] td.after')).toContainText('127.0.0.33:9094');

  // Comparing the other way round is a diff too: the broker is removed.
  await hydrated(page);
  const toValue = await page.locator('#compare-to').inputValue();
  const fromValue = await page.locator('#compare-from option').last().getAttribute('value');
  await page.selectOption('#compare-from', toValue);
  await page.selectOption('#compare-to', fromValue);
  await page.locator('#compare-form').getByRole('button', { name: 'Compare' }).click();
  await expect(page).toHaveURL(new RegExp(`from=${toValue}&to=${fromValue}`));
  await expect(page.locator('#diff-table tr[data-kind="brokers"]', { hasText: 'Broker 3' }).locator('td.after')).toHaveText('—');

  // The client information as recorded at the older snapshot, with its downloads.
  await page.locator('#diff-sides dd').nth(1).getByRole('link', { name: 'client info then' }).click();
  await expect(page.locator('#recorded-banner')).toContainText(`As recorded at snapshot ${fromValue}`);
  await expect(page.locator('#bootstrap-table')).toContainText('127.0.0.31:9094,127.0.0.32:9094');
  await expect(page.locator('#bootstrap-table')).not.toContainText('127.0.0.33');
  await expect(page.locator('#preview')).toContainText('bootstrap.servers=127.0.0.31:9094,127.0.0.32:9094');
  await expect(page.locator('#download-link')).toHaveAttribute('href', new RegExp(`at=${fromValue}`));

  // And the cluster's own history page charts it.
  await page.locator('#recorded-banner').getByRole('link', { name: 'History' }).click();
  // Brokers: 2, then 3 (the top of the chart), held to the right edge.
  await expect(page.locator('#cluster-chart svg path.series.s1')).toHaveAttribute('d', /^M0\.0 \d+\.\d( H\d+\.\d V\d+\.\d)* H720\.0$/);
  await expect(page.locator('#cluster-chart figcaption')).toHaveText('audit-log: brokers and answering exporters');
  // The chart in words: the legend and the SVG's text alternative give the numbers.
  await expect(page.locator('#cluster-chart .legend li').first()).toHaveText(/^Brokers: 3 (now, lowest 2, highest 3|throughout)$/);
  await expect(page.locator('#cluster-chart svg')).toHaveAttribute('aria-label', /^audit-log: brokers and answering exporters, .+ to .+\. Brokers: 3 (now, lowest 2, highest 3|throughout)(;|\.)/);
  await expect(page.locator('#timeline tbody tr', { hasText: 'Cluster added' })).toHaveCount(1);
});
