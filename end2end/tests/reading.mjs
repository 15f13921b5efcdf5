// Helpers the reading checks share (tests/reading.spec.mjs and page-report.mjs): which
// pages to visit, axe-core's WCAG 2.1 AA check in a given theme, and whether a page
// scrolls sideways.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/// Every page kind, with the sample's clusters of each kind and one history diff.
export async function pagesToCheck(request, base = '') {
  const list = await (await request.get(`${base}/api/clusters`)).json();
  const paths = ['/', '/coverage', '/history', '/no-such-page'];
  for (const c of list.clusters) paths.push(`/clusters/${c.id}`);
  const orders = list.clusters.find((c) => c.name === 'orders-prod') || list.clusters[0];
  if (orders) {
    paths.push(`/clusters/${orders.id}/history`);
    // A diff between two snapshots, as the history links it (there is one once the
    // sample's live exporters have changed something; until then the history is enough).
    const html = await (await request.get(`${base}/clusters/${orders.id}/history`)).text();
    const diff = html.match(/href="(\/clusters\/[^"]+\/diff\?[^"]+)"/);
    if (diff) paths.push(diff[1].replaceAll('&amp;', '&'));
  }
  return paths;
}

/// axe-core's violations of WCAG 2.0/2.1 A and AA on the loaded page, in `theme`
/// ('light' or 'dark', set as the theme switch sets it).
export async function axeViolations(page, theme) {
  await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
  // Injected through the DevTools protocol: the page's CSP does not apply.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  );
  return result.violations;
}

/// Whether the page is wider than its viewport: null if it fits, else what sticks out.
export async function sidewaysScroll(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    // The outermost elements past the right edge that are not inside a scrolling box.
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.right <= width + 1) continue;
      let p = e.parentElement;
      let boxed = false;
      while (p && p !== document.body) {
        const s = getComputedStyle(p).overflowX;
        if (s === 'auto' || s === 'scroll' || s === 'hidden') { boxed = true; break; }
        p = p.parentElement;
      }
      if (!boxed) out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''} to ${Math.round(r.right)}px`);
      if (out.length >= 3) break;
    }
    return `${document.documentElement.scrollWidth}px wide: ${out.join(', ')}`;
  });
}
