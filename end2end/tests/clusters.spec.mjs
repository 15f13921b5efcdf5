import { test, expect, hydrated } from './fixtures.mjs';

test('the cluster list loads, filters as you type, and sorts', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#sample-banner')).toContainText('Sample data');
  const rows = page.locator('#cluster-table tbody tr');
  await expect(rows).toHaveCount(6);
  await hydrated(page);

  await page.locator('#cluster-filter').fill('kraft');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('events-kraft');
  await expect(page.locator('#cluster-count')).toHaveText('1 of 6 clusters');
  await page.locator('#cluster-filter').fill('eu-west-1 iam');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('orders-prod');
  await page.locator('#cluster-filter').fill('');
  await expect(rows).toHaveCount(6);
  // The filter is applied on the server and kept in the URL; typing keeps the focus.
  // Typing is followed once it pauses: a word is one page fetch, no fetch per key.
  const box = page.locator('#cluster-filter');
  const fetched = [];
  const onRequest = (r) => {
    const q = new URL(r.url()).searchParams.get('q');
    if (r.resourceType() === 'fetch' && q !== null) fetched.push(q);
  };
  page.on('request', onRequest);
  await box.pressSequentially('orders', { delay: 40 });
  await expect(page).toHaveURL(/\?q=orders$/);
  await expect(rows).toHaveCount(1);
  page.off('request', onRequest);
  expect(fetched.filter((q) => q !== 'orders')).toEqual([]);
  expect(fetched).toContain('orders');
  await expect(box).toBeFocused();
  await expect(box).toHaveValue('orders');
  await box.fill('');
  await expect(rows).toHaveCount(6);

  await page.getByRole('link', { name: /^Name/ }).click();
  await expect(page).toHaveURL(/sort=name&dir=desc/);
  await expect(rows.first()).toContainText('ycshinmsk');
  await page.getByRole('link', { name: /^Brokers/ }).click();
  await expect(rows.last()).toContainText('ycshinmsk');
});

test('the filter works without JavaScript too', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/?q=serverless');
  await expect(page.locator('#cluster-table tbody tr')).toHaveCount(1);
  await expect(page.locator('#cluster-table tbody tr').first()).toContainText('clickstream');
  await context.close();
});

test('a cluster page shows the bootstrap strings and copies one', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'orders-prod' }).click();
  await expect(page).toHaveURL(/\/clusters\/orders-prod-[0-9a-f]{10}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('orders-prod');
  const table = page.locator('#bootstrap-table');
  await expect(table.locator('tbody tr')).toHaveCount(6);
  const iam = table.locator('tr[data-listener="sasl-iam"]');
  await expect(iam).toContainText('9098');
  const expected = await iam.locator('code.bootstrap-string').innerText();
  expect(expected).toContain('b-1.ordersprod.k2x9qa.c3.kafka.eu-west-1.amazonaws.com:9098');

  await hydrated(page);
  await iam.getByRole('button', { name: 'Copy' }).click();
  await expect(iam.getByRole('button', { name: 'Copy' })).toHaveText('Copied');
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  expect(clip).toBe(expected);
});

test('a KRaft cluster says it has no ZooKeeper; an unknown id is a 404', async ({ page }) => {
  await page.goto('/?q=events');
  await page.getByRole('link', { name: 'events-kraft' }).click();
  await expect(page.locator('#zookeeper')).toContainText('KRaft mode');
  const resp = await page.goto('/clusters/orders-0000000000');
  expect(resp.status()).toBe(404);
  await expect(page.getByRole('alert')).toContainText('No cluster with id');
});

test('Refresh now refreshes every source and the page shows the new refresh', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  const status = page.locator('#refresh-status');
  await expect(status).toContainText('Last refresh finished');
  const before = await status.innerText();
  // Refresh times are to the second: wait for the clock to pass this one.
  const second = Math.floor(Date.now() / 1000);
  await expect.poll(() => Math.floor(Date.now() / 1000)).toBeGreaterThan(second);
  const button = page.locator('#refresh-button');
  // A refused request is said in place, and the button can be pressed again.
  // (A server function's error is JSON; its message is what shows.)
  const refusal = { status: 403, contentType: 'application/json', body: '{"kind":"forbidden","message":"Only operators may start a refresh."}' };
  await page.route('**/sfn/refresh', (route) => route.fulfill(refusal));
  await button.click();
  const problem = page.locator('#live-problem');
  await expect(problem).toHaveText('The server refused (HTTP 403): Only operators may start a refresh.');
  await expect(button).toBeEnabled();
  // Any other answer shows its start.
  await page.unroute('**/sfn/refresh');
  await page.route('**/sfn/refresh', (route) => route.fulfill({ status: 401, body: 'sign in again' }));
  await button.click();
  await expect(problem).toHaveText('The server refused (HTTP 401): sign in again');
  await page.unroute('**/sfn/refresh');
  await button.click();
  await expect(page.locator('#live-problem')).toHaveCount(0);
  await expect(status).not.toHaveText(before, { timeout: 15_000 });
  await expect(status).toContainText('Last refresh finished');
  await expect(button).toHaveText('Refresh now');
  await expect(button).toBeEnabled();
});
