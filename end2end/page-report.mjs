// Measures how the pages read, for a running console (sample mode shows every kind):
// each page's height at 1440×900, where the bootstrap table and the Downloads panel start,
// whether any page scrolls sideways at 390 px, and axe-core's WCAG 2.1 AA violations in
// the light and the dark theme.
//
//   target/debug/msk-console --sample --listen 127.0.0.1:3300 --database-url sqlite:///tmp/r.db &
//   cd end2end && node page-report.mjs http://127.0.0.1:3300
//
// It prints one line per page and measure, and exits non-zero if a page has an axe
// violation or scrolls sideways at 390 px. The browser tests check the same goals
// (tests/reading.spec.mjs); this script prints the numbers for a note or a review.
import { chromium } from 'playwright-core';
import { pagesToCheck, axeViolations, sidewaysScroll } from './tests/reading.mjs';

const [base = 'http://127.0.0.1:3300'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
let failed = 0;
const wide = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
for (const path of await pagesToCheck(wide.request, base)) {
  await wide.goto(base + path);
  await wide.waitForLoadState('networkidle');
  const m = await wide.evaluate(() => {
    const top = (sel) => {
      const e = document.querySelector(sel);
      return e ? Math.round(e.getBoundingClientRect().top + window.scrollY) : null;
    };
    return {
      height: document.documentElement.scrollHeight,
      bootstrap: top('#bootstrap-table'),
      downloads: top('#downloads'),
    };
  });
  const axe = {};
  for (const theme of ['light', 'dark']) {
    const v = await axeViolations(wide, theme);
    axe[theme] = v.length;
    for (const x of v) console.log(`  axe ${theme} ${x.id}: ${x.help} (${x.nodes.length}×: ${x.nodes[0].target})`);
    failed += v.length;
  }
  await narrow.goto(base + path);
  await narrow.waitForLoadState('networkidle');
  const overflow = await sidewaysScroll(narrow);
  if (overflow) failed++;
  console.log(
    `${path}\theight ${m.height}px` +
      (m.bootstrap !== null ? `\tbootstrap at ${m.bootstrap}px` : '') +
      (m.downloads !== null ? `\tdownloads at ${m.downloads}px` : '') +
      `\taxe light ${axe.light} dark ${axe.dark}` +
      `\t390px ${overflow ? `scrolls sideways (${overflow})` : 'fits'}`,
  );
}
await browser.close();
process.exit(failed ? 1 : 0);
