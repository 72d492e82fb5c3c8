// Opens every generated HTML page (alias redirect pages excluded) in headless
// Chromium at desktop 1280x800 and mobile 390x844, in light and dark colour
// scheme, and checks:
//   - axe-core finds 0 WCAG 2.0/2.1 A/AA violations (incl. dark-mode contrast)
//   - no horizontal scrolling at 390 px
//   - no console errors, no uncaught exceptions, no failed requests
//   - no request ever goes to a host other than 127.0.0.1
//   - every internal link / asset (a[href], link[href], img[src|srcset],
//     source[src|srcset], script[src], ...) answers 200, and every #fragment
//     link points at an element with that id
// One browser for the whole run.

import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { fail, listPages, siteAndBrowser } from './site.mjs';

const require = createRequire(import.meta.url);

const VIEWPORTS = [
  { name: 'desktop', label: 'desktop 1280x800', options: { viewport: { width: 1280, height: 800 } } },
  {
    name: 'mobile',
    label: 'mobile 390x844',
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
  },
];
const SCHEMES = ['light', 'dark'];
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
};

const { site, browser, setupError } = await siteAndBrowser();
const pages = site ? listPages(site.outDir) : [];

if (setupError) {
  test('browser checks (axe-core, layout, console, requests, links)', () => fail(setupError));
} else {
  const axeSource = require.resolve('axe-core/axe.min.js');
  const origin = site.origin;
  const allowedHost = new URL(origin).hostname; // 127.0.0.1
  /** url without hash -> Set of pages that reference it */
  const links = new Map();
  /** "url#fragment" -> Set of pages */
  const fragments = new Map();
  /** every axe violation node, for the grouped summary */
  const allViolations = [];
  /** requests to other hosts: url -> Set of pages */
  const external = new Map();
  const contexts = {};

  const addTo = (map, key, value) => {
    if (!map.has(key)) map.set(key, new Set());
    map.get(key).add(value);
  };

  before(async () => {
    for (const vp of VIEWPORTS) {
      // axe-core is injected as an inline script, which the site's own CSP forbids;
      // csp.test.mjs checks the pages with the policy enforced.
      const ctx = await browser.newContext({ ...vp.options, colorScheme: 'light', reducedMotion: 'reduce', bypassCSP: true });
      ctx.setDefaultTimeout(30_000);
      ctx.setDefaultNavigationTimeout(30_000);
      await ctx.route('**/*', (route) => {
        const url = route.request().url();
        let host = null;
        try {
          host = new URL(url).hostname;
        } catch {}
        if (host === allowedHost) return route.continue();
        const from = route.request().frame()?.page()?.url() ?? '?';
        addTo(external, url, new URL(from, origin).pathname);
        return route.abort('blockedbyclient');
      });
      contexts[vp.name] = ctx;
    }
  });

  after(async () => {
    await browser.close().catch(() => {});
    await site.close();
  });

  let axeRuns = 0;
  const axeVersion = require('axe-core/package.json').version;
  async function runAxe(page) {
    axeRuns++;
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      await page.addScriptTag({ path: axeSource });
    }
    return page.evaluate(async (options) => {
      const result = await window.axe.run(document, options);
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.map(String).join(' '),
          html: n.html,
          detail: [...n.any, ...n.all, ...n.none].map((c) => c.message).filter(Boolean)[0] ?? n.failureSummary ?? '',
        })),
      }));
    }, AXE_OPTIONS);
  }

  /** Elements that stick out to the right/left of the viewport (deepest ones), for the overflow message. */
  async function overflowCulprits(page, vw) {
    return page.evaluate((vw) => {
      const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
          const o = getComputedStyle(a).overflowX;
          if (o !== 'visible') return true;
        }
        return false;
      };
      const sel = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) s += '#' + el.id;
        if (el.classList.length) s += '.' + [...el.classList].slice(0, 3).join('.');
        return s;
      };
      const over = [...document.body.querySelectorAll('*')].filter((el) => {
        const r = el.getBoundingClientRect();
        return (r.right > vw + 0.5 || r.left < -0.5) && r.width > 0 && !clipped(el);
      });
      const set = new Set(over);
      return over
        .filter((el) => ![...el.children].some((c) => set.has(c)))
        .slice(0, 8)
        .map((el) => {
          const r = el.getBoundingClientRect();
          const parent = el.parentElement ? sel(el.parentElement) + ' > ' : '';
          return `${parent}${sel(el)} (left ${Math.round(r.left)}px, right ${Math.round(r.right)}px, width ${Math.round(r.width)}px)`;
        });
    }, vw);
  }

  async function collectLinks(page, pagePath) {
    const urls = await page.evaluate(() => {
      const out = [];
      const push = (v) => v && out.push(v);
      for (const a of document.querySelectorAll('a[href], area[href]')) push(a.href);
      for (const l of document.querySelectorAll('link[href]')) push(l.href);
      for (const el of document.querySelectorAll('img[src], script[src], source[src], video[src], audio[src], iframe[src], track[src], embed[src]'))
        push(el.src);
      for (const v of document.querySelectorAll('video[poster]')) push(v.poster);
      for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
        for (const part of el.getAttribute('srcset').split(',')) {
          const u = part.trim().split(/\s+/)[0];
          if (u) push(new URL(u, document.baseURI).href);
        }
      }
      return out;
    });
    for (const raw of urls) {
      let u;
      try {
        u = new URL(raw);
      } catch {
        continue;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      if (u.hostname !== allowedHost) continue;
      const hash = u.hash;
      u.hash = '';
      addTo(links, u.href, pagePath);
      if (hash.length > 1) addTo(fragments, u.href + hash, pagePath);
    }
  }

  function formatViolations(violations, pagePath, label) {
    const lines = [];
    for (const v of violations) {
      lines.push(`  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s)) ${v.helpUrl}`);
      for (const n of v.nodes.slice(0, 10)) {
        lines.push(`      ${n.target}${n.detail ? ' — ' + n.detail : ''}`);
        allViolations.push({ id: v.id, impact: v.impact, help: v.help, target: n.target, detail: n.detail, page: pagePath, label });
      }
      if (v.nodes.length > 10) lines.push(`      … and ${v.nodes.length - 10} more`);
    }
    return lines;
  }

  async function checkPage(vp, pagePath) {
    const problems = [];
    const page = await contexts[vp.name].newPage();
    const events = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        const loc = msg.location();
        events.push(`console error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
      }
    });
    page.on('pageerror', (err) => events.push(`uncaught exception: ${err.message}`));
    page.on('requestfailed', (req) => {
      const host = (() => {
        try {
          return new URL(req.url()).hostname;
        } catch {
          return '';
        }
      })();
      if (host !== allowedHost) return; // reported as an external request instead
      // ERR_ABORTED: the request was cancelled by our own reload/close (e.g. a lazy image); not a site bug.
      if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
      events.push(`request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText})`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) events.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
    });
    try {
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        const res = scheme === 'light' ? await page.goto(origin + pagePath, { waitUntil: 'load' }) : await page.reload({ waitUntil: 'load' });
        if (!res || res.status() !== 200) problems.push(`${scheme}: page answered HTTP ${res?.status()}`);
        await page.evaluate(() => document.fonts?.ready);
        if (scheme === 'light') {
          if (vp.name === 'desktop') await collectLinks(page, pagePath);
          if (vp.name === 'mobile') {
            // With mobile emulation Chromium widens the layout viewport (and
            // window.innerWidth) to fit content that overflows, as phones do,
            // so compare with the device width too.
            const deviceWidth = vp.options.viewport.width;
            const { scrollWidth, innerWidth } = await page.evaluate(() => ({
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
            }));
            const width = Math.min(innerWidth, deviceWidth);
            if (scrollWidth > width) {
              const culprits = await overflowCulprits(page, width);
              problems.push(
                `horizontal scrolling at ${deviceWidth}px: document is ${scrollWidth}px wide; overflowing element(s):\n` +
                  culprits.map((c) => '      ' + c).join('\n'),
              );
            }
          }
        }
        const violations = await runAxe(page);
        if (violations.length) {
          problems.push(`axe-core, ${scheme} mode: ${violations.length} WCAG A/AA rule(s) violated`);
          problems.push(...formatViolations(violations, pagePath, `${vp.name}/${scheme}`));
        }
      }
    } finally {
      await page.close();
    }
    problems.push(...[...new Set(events)]);
    return problems;
  }

  describe(`browser checks on ${pages.length} page(s) (${origin})`, () => {
    test('the site has pages to check', () => {
      if (!pages.length) fail(`no HTML pages found in ${site.outDir}`);
    });

    for (const pagePath of pages) {
      describe(pagePath, () => {
        for (const vp of VIEWPORTS) {
          test(`${pagePath} @ ${vp.label}`, { timeout: 120_000 }, async () => {
            const problems = await checkPage(vp, pagePath);
            if (problems.length) fail(`${pagePath} @ ${vp.label}:\n` + problems.map((p) => '  ' + p.trimStart()).join('\n'));
          });
        }
      });
    }

    test('no request went to a host other than 127.0.0.1', () => {
      if (external.size) {
        fail(
          `${external.size} request(s) to other hosts (blocked):\n` +
            [...external].map(([u, from]) => `  ${u}\n      from ${[...from].join(', ')}`).join('\n'),
        );
      }
    });

    test('every internal link and asset answers 200', { timeout: 120_000 }, async (t) => {
      t.diagnostic(`${links.size} distinct internal URL(s) checked`);
      const bad = [];
      for (const [url, from] of links) {
        let res;
        try {
          res = await fetch(url, { redirect: 'manual' });
          await res.arrayBuffer();
        } catch (err) {
          bad.push(`  ${url}: ${err.message}\n      linked from ${[...from].join(', ')}`);
          continue;
        }
        if (res.status !== 200) {
          const loc = res.headers.get('location');
          bad.push(
            `  ${new URL(url).pathname}${new URL(url).search}: HTTP ${res.status}${loc ? ` -> ${loc}` : ''}\n      linked from ${[...from].slice(0, 8).join(', ')}${from.size > 8 ? ` and ${from.size - 8} more` : ''}`,
          );
        }
      }
      if (bad.length) fail(`${bad.length} of ${links.size} internal URL(s) do not answer 200:\n${bad.join('\n')}`);
    });

    test('every #fragment link points at an existing id', { timeout: 120_000 }, async (t) => {
      t.diagnostic(`${fragments.size} distinct fragment link(s) checked`);
      const bad = [];
      const bodies = new Map();
      for (const [key, from] of fragments) {
        const [url, frag] = [key.slice(0, key.indexOf('#')), key.slice(key.indexOf('#') + 1)];
        let id;
        try {
          id = decodeURIComponent(frag);
        } catch {
          id = frag;
        }
        if (id === 'top') continue; // HTML: #top scrolls to the top of the document
        if (!bodies.has(url)) {
          const res = await fetch(url).catch(() => null);
          const type = res?.headers.get('content-type') ?? '';
          bodies.set(url, res?.ok && type.includes('html') ? await res.text() : null);
        }
        const html = bodies.get(url);
        if (html === null) continue; // non-HTML targets and dead links are reported by the link check
        const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/&/g, '&(?:amp;)?');
        const found = new RegExp(`\\s(?:id|name)\\s*=\\s*(?:"${esc}"|'${esc}'|${esc}(?=[\\s>]))`).test(html);
        if (!found) bad.push(`  ${new URL(url).pathname}#${frag}\n      linked from ${[...from].slice(0, 8).join(', ')}`);
      }
      if (bad.length) fail(`${bad.length} fragment link(s) point at no element:\n${bad.join('\n')}`);
    });

    test('summary: 0 axe-core violations across the site', (t) => {
      t.diagnostic(`axe-core ${axeVersion} ran ${axeRuns} time(s) on ${pages.length} page(s)`);
      if (!allViolations.length) return;
      const groups = new Map();
      for (const v of allViolations) {
        const key = `[${v.impact}] ${v.id} — ${v.target}${v.detail ? ' — ' + v.detail : ''}`;
        if (!groups.has(key)) groups.set(key, { pages: new Set(), modes: new Set() });
        groups.get(key).pages.add(v.page);
        groups.get(key).modes.add(v.label);
      }
      const lines = [...groups]
        .sort((a, b) => b[1].pages.size - a[1].pages.size)
        .map(
          ([k, g]) =>
            `  ${k}\n      in ${[...g.modes].sort().join(', ')} on ${g.pages.size} page(s): ${[...g.pages].slice(0, 6).join(', ')}${g.pages.size > 6 ? ', …' : ''}`,
        );
      fail(`${allViolations.length} violating element(s), ${groups.size} distinct (rule, element) pair(s):\n${lines.join('\n')}`);
    });
  });
}
