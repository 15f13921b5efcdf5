import { test, expect, hydrated } from './fixtures.mjs';

test('the Downloads panel previews live and downloads the same file', async ({ page }) => {
  await page.goto('/?q=orders');
  await page.getByRole('link', { name: 'orders-prod' }).click();
  await hydrated(page);
  const preview = page.locator('#preview');
  await page.selectOption('#download-mode', 'sasl-scram');
  await expect(preview).toContainText('sasl.mechanism=SCRAM-SHA-512');
  await expect(preview).toContainText('username="<username>" password="<password>"');
  await page.locator('input[name=scram_username]').fill('alice');
  await expect(preview).toContainText('username="alice"');

  await page.selectOption('#download-mode', 'sasl-iam');
  await page.locator('input[name=aws_profile]').fill('prod');
  await expect(preview).toContainText('IAMLoginModule required awsProfileName="prod";');
  const link = page.locator('#download-link');
  await expect(link).toHaveAttribute('href', /client\.properties\?mode=sasl-iam&truststore=pkcs12&aws_profile=prod&iam_mechanism=aws-msk-iam$/);

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('orders-prod-sasl-iam-client.properties');
  const body = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(body).toString();
  expect(text).toContain('sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName="prod";');

  // A bad option is explained in place.
  await page.locator('input[name=aws_role_arn]').fill('not-a-role');
  await expect(page.locator('#preview-error')).toContainText('is not an IAM role ARN');

  await page.selectOption('#download-file', 'prometheus-http-sd');
  await expect(preview).toContainText('http_sd_configs:');
  await expect(preview).toContainText('/sd/targets?cluster=orders-prod-');
});

test('without JavaScript the panel is a form that previews on the server', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/?q=serverless');
  await page.getByRole('link', { name: 'clickstream' }).click();
  await expect(page.locator('#preview')).toContainText('sasl.mechanism=AWS_MSK_IAM');
  await page.selectOption('#download-file', 'targets-json');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page).toHaveURL(/file=targets-json/);
  await expect(page.locator('#monitoring-note')).toContainText('Serverless clusters have no open monitoring');
  await expect(page.locator('#preview')).toHaveText('[]');
  await context.close();
});
