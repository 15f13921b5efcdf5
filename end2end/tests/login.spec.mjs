// Signing in through a real OpenID Connect provider (npm's oidc-provider, with its
// development login pages): the console sends the browser there, comes back with a
// session, shows who is signed in, gives a viewer no operator buttons and an operator
// the probe button, records the sign-ins, and signs out.
import { test, expect, hydrated } from './fixtures.mjs';

const consoleUrl = process.env.E2E_LOGIN_URL || 'http://127.0.0.1:3097';

async function signIn(page, user, path = '/coverage') {
  // The provider's development pages link a web font; nothing may leave loopback.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
    route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  await page.goto(`${consoleUrl}${path}`);
  // The provider's login page.
  await expect(page).toHaveURL(/127\.0\.0\.1:3098\/interaction\//);
  await page.locator('input[name="login"]').fill(user);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  // The provider asks to authorize the console once.
  const consent = page.locator('button[autofocus], button[type="submit"]');
  if (page.url().includes('/interaction/')) await consent.first().click();
  await expect(page).toHaveURL(`${consoleUrl}${path}`);
  await hydrated(page);
}

test('a viewer signs in, sees the pages but no operator button, and signs out', async ({ page }) => {
  await signIn(page, 'dana');
  await expect(page.locator('#signed-in-as')).toContainText('dana');
  await expect(page.locator('#signed-in-as')).toContainText('viewer');
  await expect(page.locator('#coverage-totals')).toBeVisible();
  await expect(page.locator('#probe-all')).toHaveCount(0);
  // The cluster list has no Refresh button for a viewer either.
  await page.goto(`${consoleUrl}/`);
  await hydrated(page);
  await expect(page.locator('#cluster-table, table').first()).toBeVisible();
  await expect(page.locator('#refresh-button')).toHaveCount(0);
  // A viewer asking the server directly is refused.
  const refused = await page.evaluate(async () => {
    const r = await fetch('/api/refresh', { method: 'POST' });
    return r.status;
  });
  expect(refused).toBe(403);

  // A copy of the session cookie, taken while signed in.
  const copied = (await page.context().cookies()).filter((c) => c.name.includes('msk_console_session'));
  expect(copied.length).toBe(1);

  await page.locator('#sign-out').click();
  await expect(page).toHaveURL(`${consoleUrl}/auth/signed-out`);
  await expect(page.locator('h1')).toHaveText('Signed out');
  // Signed out: the session cookie is gone, so the API refuses...
  const after = await page.evaluate(async () => (await fetch('/api/clusters')).status);
  expect(after).toBe(401);
  // ...and the copy is no good either: the session ended on the server.
  const replay = await page.request.get(`${consoleUrl}/api/clusters`, {
    headers: { Cookie: `${copied[0].name}=${copied[0].value}` },
  });
  expect(replay.status()).toBe(401);
  // ...and a page sends the browser through the provider again (which still knows
  // the user, so it signs them straight back in).
  const viaProvider = [];
  page.on('request', (r) => { if (r.url().startsWith('http://127.0.0.1:3098/')) viaProvider.push(r.url()); });
  await page.goto(`${consoleUrl}/coverage`);
  expect(viaProvider.length).toBeGreaterThan(0);
});

test('an operator gets the probe button, and the History page says who signed in', async ({ page }) => {
  await signIn(page, 'olga');
  await expect(page.locator('#signed-in-as')).toContainText('operator');
  const probe = page.locator('#probe-all');
  await expect(probe).toBeVisible();
  await probe.click();
  await expect(probe).toBeEnabled({ timeout: 15_000 });
  await page.goto(`${consoleUrl}/history`);
  await hydrated(page);
  const activity = page.locator('#activity-table');
  await expect(activity).toContainText('olga');
  await expect(activity).toContainText('signed in as operator');
  await expect(activity).toContainText('started a probe');
});

test('an email the provider has not verified names nobody in the role lists', async ({ page }) => {
  // --viewers lists email:ursula@example.com, but the provider says it is unverified:
  // anyone could have registered it, so it does not count.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
    route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  await page.goto(`${consoleUrl}/coverage`);
  await expect(page).toHaveURL(/127\.0\.0\.1:3098\/interaction\//);
  await page.locator('input[name="login"]').fill('ursula');
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[autofocus], button[type="submit"]');
  if (page.url().includes('/interaction/')) await consent.first().click();
  await expect(page.locator('h1')).toHaveText('Sign-in failed');
  await expect(page.locator('.banner.error')).toContainText('does not include you');
  const api = await page.evaluate(async () => (await fetch('/api/clusters')).status);
  expect(api).toBe(401);
});
