// The README's screenshots, taken from a running console with Debian's Chromium:
//
//   target/debug/msk-console --sample --listen 127.0.0.1:3300 --database-url sqlite:///tmp/shots.db &
//   cd end2end && node screenshots.mjs http://127.0.0.1:3300 ../docs
//
// In sample mode the stand-in exporters and Kafka listeners make every page live; the
// script waits for two sweeps so the history and health have something to show.
//
// The topic pages need MSK's topic APIs, which the sample has not: with TOPICS=1 the
// script takes them from a console listing the fake MSK's demo fleet instead:
//
//   cargo run -p fake-msk --example serve -- 127.0.0.1:4566 &
//   AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo target/debug/msk-console \
//     --aws-endpoint-url http://127.0.0.1:4566 --aws-regions eu-west-1 --no-probe \
//     --no-cloudwatch --listen 127.0.0.1:3301 --database-url sqlite:///tmp/topics.db &
//   cd end2end && TOPICS=1 node screenshots.mjs http://127.0.0.1:3301 ../docs
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:3000', out = '../docs'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });

async function sweeps(n) {
  for (let i = 0; i < 60; i++) {
    const r = await page.request.get(`${base}/api/coverage`);
    const c = await r.json();
    if (c.sweep.generation >= n && !c.sweep.running) return;
    await page.waitForTimeout(500);
  }
  throw new Error('no sweep finished: is the console running with --sample?');
}

if (process.env.TOPICS) {
  const list = await (await page.request.get(`${base}/api/clusters`)).json();
  const orders = list.clusters.find((c) => c.name === 'orders-prod');
  for (let i = 0; i < 60; i++) {
    const t = await (await page.request.get(`${base}/api/clusters/${orders.id}/topics`)).json();
    if (t.checked_at) break;
    await page.waitForTimeout(500);
  }
  for (const [path, file, selector] of [
    [`/clusters/${orders.id}`, 'screenshot-topics.png', '#topics'],
    [`/clusters/${orders.id}/topics/payments.v2`, 'screenshot-topic.png', null],
  ]) {
    await page.goto(`${base}${path}`);
    await page.waitForLoadState('networkidle');
    if (selector) {
      await page.locator(selector).screenshot({ path: `${out}/${file}` });
    } else {
      await page.screenshot({ path: `${out}/${file}`, fullPage: true });
    }
    console.log(`${out}/${file}`);
  }
  await browser.close();
  process.exit(0);
}

await sweeps(1);
await page.request.post(`${base}/api/probe`);
await page.waitForTimeout(1000);
await sweeps(2);

const shots = [
  ['/coverage', 'screenshot-coverage.png', null],
  ['/', 'screenshot-clusters.png', null],
];
const list = await (await page.request.get(`${base}/api/clusters`)).json();
const orders = list.clusters.find((c) => c.name === 'orders-prod');
if (orders) {
  shots.push([`/clusters/${orders.id}`, 'screenshot-cluster.png', null]);
  shots.push([`/clusters/${orders.id}#brokers`, 'screenshot-brokers.png', '#brokers']);
  // The Connect picker: a kafka-python producer for IAM, with what to install.
  shots.push([`/clusters/${orders.id}?file=kafka-python&mode=sasl-iam&aws_profile=prod#downloads`, 'screenshot-connect.png', '#downloads']);
}
shots.push(['/history', 'screenshot-history.png', null]);
for (const [path, file, selector] of shots) {
  await page.goto(`${base}${path}`);
  await page.waitForLoadState('networkidle');
  if (selector) {
    await page.locator(selector).screenshot({ path: `${out}/${file}` });
  } else {
    await page.screenshot({ path: `${out}/${file}`, fullPage: false });
  }
  console.log(`${out}/${file}`);
}

// A phone's width (390 px): the header, the bootstrap strings and the picker stay usable.
const narrow = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
const small = [['/', 'screenshot-390-clusters.png']];
if (orders) small.push([`/clusters/${orders.id}`, 'screenshot-390-cluster.png']);
for (const [path, file] of small) {
  await narrow.goto(`${base}${path}`);
  await narrow.waitForLoadState('networkidle');
  await narrow.screenshot({ path: `${out}/${file}`, fullPage: false });
  console.log(`${out}/${file}`);
}
await browser.close();
