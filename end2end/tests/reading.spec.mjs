// Pages a developer reads in ten seconds: axe-core finds no WCAG 2.1 AA violation on any
// page in either theme, no page scrolls sideways at 390 px, the cluster page puts the
// bootstrap strings and the Downloads panel first with the per-broker connectivity
// folded away, times read in the reader's time zone (and stay UTC without JavaScript),
// and `/` focuses the filter.
import { test, expect, hydrated } from './fixtures.mjs';
import { pagesToCheck, axeViolations, sidewaysScroll } from './reading.mjs';

const describe = (v) => v.map((x) => `${x.id}: ${x.help} at ${x.nodes.map((n) => n.target).join(' ')}`).join('\n');

test('every page has no axe-core WCAG 2.1 AA violation, in the light and the dark theme', async ({ page }) => {
  test.setTimeout(180_000);
  const found = [];
  for (const path of await pagesToCheck(page.request)) {
    await page.goto(path);
    await hydrated(page);
    for (const theme of ['light', 'dark']) {
      const v = await axeViolations(page, theme);
      if (v.length) found.push(`${path} (${theme}):\n${describe(v)}`);
    }
  }
  expect(found, found.join('\n')).toEqual([]);
});

test('at 390 px no page scrolls sideways, and wide tables scroll in their own box', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const found = [];
  for (const path of await pagesToCheck(page.request, 'http://127.0.0.1:' + (process.env.E2E_PORT || '3099'))) {
    await page.goto(path);
    const overflow = await sidewaysScroll(page);
    if (overflow) found.push(`${path}: ${overflow}`);
    // A table that scrolls must be reachable by keyboard (axe: scrollable-region-focusable).
    const v = await axeViolations(page, 'light');
    if (v.length) found.push(`${path} at 390 px:\n${describe(v)}`);
  }
  // The header and the Downloads picker stay usable.
  const list = await (await page.request.get('/api/clusters')).json();
  const orders = list.clusters.find((c) => c.name === 'orders-prod');
  await page.goto(`/clusters/${orders.id}`);
  await expect(page.locator('#downloads select[name="file"]')).toBeInViewport({ ratio: 1 }).catch(async () => {
    await page.locator('#downloads select[name="file"]').scrollIntoViewIfNeeded();
  });
  const box = await page.locator('#downloads select[name="file"]').boundingBox();
  expect(box.x + box.width, 'the file picker fits the screen').toBeLessThanOrEqual(390);
  await context.close();
  expect(found, found.join('\n')).toEqual([]);
});

test('the cluster page puts the bootstrap strings and the picker first, with connectivity in one line', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const list = await (await page.request.get('/api/clusters')).json();
  const id = (name) => list.clusters.find((c) => c.name === name).id;
  // ycshinmsk is healthy in the sample: every listener connects.
  await expect(async () => {
    await page.goto(`/clusters/${id('ycshinmsk')}`);
    await expect(page.locator('#bootstrap-table td.connect[data-connect="ok"]').first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const top = (sel) => page.locator(sel).evaluate((e) => e.getBoundingClientRect().bottom + window.scrollY);
  expect(await top('#bootstrap-table'), 'the bootstrap table ends within the first 1,000 px').toBeLessThan(1000);
  expect(await page.locator('#downloads').evaluate((e) => e.getBoundingClientRect().top + window.scrollY),
    'the Downloads panel starts within the first 1,000 px').toBeLessThan(1000);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  expect(height, 'the healthy cluster page is under 2,500 px').toBeLessThan(2500);
  // The section bar leads to each section.
  await expect(page.locator('nav.section-nav a')).toContainText(['Bootstrap', 'Connect', 'Brokers', 'Settings', 'History']);

  // orders-prod's listeners all connect: one line each, each broker's result folded away.
  await page.goto(`/clusters/${id('orders-prod')}`);
  const tls = page.locator('#bootstrap-table tr[data-listener="tls"] td.connect');
  await expect(tls.locator('summary')).toHaveText(/^TLS ok, ApiVersions \d+ ms, 3 of 3 brokers$/);
  await expect(tls.locator('details')).not.toHaveAttribute('open', '');
  await expect(tls.locator('li').first()).toBeHidden();
  await tls.locator('summary').click();
  await expect(tls.locator('li')).toHaveCount(3);
  await expect(tls.locator('li').first()).toBeVisible();

  // A failing listener shows every broker's result at once.
  await page.goto(`/clusters/${id('events-kraft')}`);
  const iam = page.locator('#bootstrap-table tr[data-listener="sasl-iam"] td.connect');
  await expect(iam).toHaveAttribute('data-connect', 'failed');
  await expect(iam.locator('details')).toHaveAttribute('open', '');
  await expect(iam.locator('li').last()).toBeVisible();
});

test('without JavaScript the connectivity folds the same way and times stay in UTC', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const list = await (await page.request.get('http://127.0.0.1:' + (process.env.E2E_PORT || '3099') + '/api/clusters')).json();
  const id = (name) => list.clusters.find((c) => c.name === name).id;
  await page.goto(`/clusters/${id('orders-prod')}`);
  const tls = page.locator('#bootstrap-table tr[data-listener="tls"] td.connect');
  await expect(tls.locator('li').first()).toBeHidden();
  await tls.locator('summary').click();
  await expect(tls.locator('li').first()).toBeVisible();
  const created = page.locator('dl.settings time');
  await expect(created).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  expect(await created.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  await context.close();
});

test('times read in the reader\'s time zone, recent ones as "ago", and keep current', async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-US' });
  const page = await context.newPage();
  const base = 'http://127.0.0.1:' + (process.env.E2E_PORT || '3099');
  const list = await (await page.request.get(`${base}/api/clusters`)).json();
  const orders = list.clusters.find((c) => c.name === 'orders-prod');
  await page.goto(`${base}/clusters/${orders.id}`);
  await hydrated(page);
  // The creation time: a local date and time, the UTC one on hover.
  const created = page.locator('dl.settings time');
  const at = await created.getAttribute('datetime');
  const expected = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Tokyo' })
    .format(new Date(at));
  await expect(created).toHaveText(expected);
  await expect(created).toHaveAttribute('title', new RegExp(`UTC\\)$`));
  // When the exporters were last probed: relative ("34 seconds ago", "now").
  await expect(async () => {
    await page.reload();
    await expect(page.locator('#probe-status time')).toHaveText(/ago$|^now$/, { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  // The list's last refresh too, and `/` focuses the filter box.
  await page.goto(`${base}/`);
  await hydrated(page);
  await expect(page.locator('#refresh-status time')).toHaveText(/ago$|^now$/);
  await page.locator('h1, body').first().click();
  await page.keyboard.press('/');
  await expect(page.locator('#cluster-filter')).toBeFocused();
  await context.close();
});

test('keyboard focus is visible', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    return { tag: e.tagName, style: s.outlineStyle, width: s.outlineWidth };
  });
  expect(outline.style, `focused ${outline.tag}`).not.toBe('none');
});
