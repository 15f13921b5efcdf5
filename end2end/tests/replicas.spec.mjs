// Two consoles on one PostgreSQL (started by playwright.config.mjs when scripts/test.sh
// provides MSK_TEST_PG_URL): the browser uses the follower. It must serve the leader's
// inventory, hydrate, and pass "Refresh now" to the leader.
import { expect } from '@playwright/test';
import { test, hydrated } from './fixtures.mjs';

const urls = (process.env.E2E_REPLICAS || '').split(',').filter(Boolean);

async function health(request, url) {
  const r = await request.get(`${url}/healthz`);
  return r.ok() ? r.json() : null;
}

/** The [leader, follower] URLs, once one leads and the other follows. */
async function leaderAndFollower(request) {
  let pair = null;
  await expect.poll(async () => {
    const hs = await Promise.all(urls.map((u) => health(request, u)));
    const leader = urls.find((u, i) => hs[i]?.replica?.role === 'leader');
    const follower = urls.find((u, i) => hs[i]?.replica?.role === 'follower');
    pair = leader && follower ? [leader, follower] : null;
    return pair !== null;
  }, { timeout: 30_000 }).toBe(true);
  return pair;
}

test('a follower serves the leader\'s clusters, hydrates, and its Refresh now reaches the leader', async ({ page, request }) => {
  test.skip(urls.length !== 2, 'needs MSK_TEST_PG_URL (scripts/test.sh starts PostgreSQL)');
  const [leader, follower] = await leaderAndFollower(request);
  const listed = (await (await request.get(`${leader}/api/clusters`)).json()).clusters;
  expect(listed.length).toBeGreaterThan(1);
  // The follower's view catches up with the leader's first refresh.
  await expect.poll(async () => (await (await request.get(`${follower}/api/clusters`)).json()).clusters.length,
    { timeout: 15_000 }).toBe(listed.length);

  await page.goto(`${follower}/`);
  await hydrated(page);
  await expect(page.locator('#cluster-table tbody tr')).toHaveCount(listed.length);
  // Hydrated: the filter works in the browser.
  const name = listed[0].name;
  await page.locator('#cluster-filter').fill(name);
  await expect(page.locator('#cluster-count')).toContainText(`of ${listed.length} clusters`);
  await page.locator('#cluster-filter').fill('');

  // Refresh now on the follower: the leader refreshes, the follower's page shows it.
  const before = (await health(request, leader)).refreshes;
  const status = page.locator('#refresh-status');
  await expect(status).toContainText('Last refresh finished');
  const button = page.locator('#refresh-button');
  await button.click();
  await expect.poll(async () => (await health(request, leader)).refreshes, { timeout: 15_000 })
    .toBeGreaterThan(before);
  await expect.poll(async () => (await health(request, follower)).refreshes, { timeout: 15_000 })
    .toBeGreaterThan(before);
  await expect(button).toHaveText('Refresh now', { timeout: 15_000 });
  await expect(button).toBeEnabled();

  // A cluster page on the follower.
  await page.goto(`${follower}/clusters/${listed[0].id}`);
  await hydrated(page);
  await expect(page.locator('h1')).toContainText(listed[0].name);
  const h = await health(request, follower);
  expect(h.replica.leader).toBe((await health(request, leader)).replica.name);
});
