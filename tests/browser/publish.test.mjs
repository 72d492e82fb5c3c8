// The built site where it is published, in headless Chromium, one browser context per
// site with every page opened in it as a visitor would:
//   - built from config.toml as it is (its base_url is still a placeholder) and served
//     from another origin (127.0.0.1): every page still loads its stylesheet, script and
//     icons, and every request it makes succeeds;
//   - built for a GitHub Pages project site (base_url with a /site/ path) and served under
//     /site/ only: the same, and following the menu stays under /site/.
// Environment: GROVE_BIN, CHROME_PATH (see site.mjs).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { buildAndServe, chromeArgs, chromePath, fail, missingPrerequisite } from './site.mjs';

const PAGES = ['/', '/articles/ketamine-assisted-psychotherapy/', '/faq/', '/team/', '/contact/', '/search/'];

/** Opens `path` in `context`; returns what the page shows and every request that failed. */
async function visit(context, url) {
  const page = await context.newPage();
  const failed = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.url()} (${r.status()})`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  const styled = await page.evaluate(() =>
    [...document.styleSheets].some((s) => s.href && s.href.includes('/css/site.') && s.cssRules.length > 50),
  );
  const header = await page.evaluate(() => getComputedStyle(document.querySelector('.header-inner')).display);
  return { page, status: response.status(), styled, header, failed };
}

function suite(name, options, check) {
  describe(name, () => {
    let site;
    let browser;
    let context;
    let setupError = missingPrerequisite({ browser: true });
    before(async () => {
      if (setupError) return;
      try {
        site = await buildAndServe(options);
        const { chromium } = await import('playwright-core');
        browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
        context = await browser.newContext();
      } catch (err) {
        setupError = err.message;
      }
    });
    after(async () => {
      await browser?.close().catch(() => {});
      await site?.close().catch(() => {});
    });
    test('every page is styled and every request it makes succeeds', async () => {
      if (setupError) fail(setupError);
      const prefix = options.prefix || '';
      for (const path of PAGES) {
        const v = await visit(context, site.origin + prefix + path);
        assert.equal(v.status, 200, path);
        assert.ok(v.styled, `${prefix}${path}: the stylesheet did not load`);
        assert.equal(v.header, 'flex', `${prefix}${path}: the header is unstyled`);
        assert.deepEqual(v.failed, [], `${prefix}${path}: failed requests`);
        await check?.(v, prefix + path);
        await v.page.close();
      }
    });
  });
}

suite('config.toml as it is, served from another origin', { baseUrl: null });

suite(
  'a project site under /site/',
  { baseUrl: 'https://user.github.io/site/', prefix: '/site' },
  async (v, path) => {
    // Following the first menu link stays on the site, under /site/.
    const first = v.page.locator('.site-nav a').first();
    const href = await first.getAttribute('href');
    assert.ok(href.startsWith('/site/'), `${path}: menu link ${href}`);
    if (path === '/site/') {
      await Promise.all([v.page.waitForNavigation({ waitUntil: 'load' }), first.click()]);
      assert.ok(new URL(v.page.url()).pathname.startsWith('/site/'), v.page.url());
      const styled = await v.page.evaluate(() => [...document.styleSheets].some((s) => s.href && s.cssRules.length > 50));
      assert.ok(styled, 'the page the menu led to is styled');
    }
  },
);
