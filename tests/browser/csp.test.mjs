// The Content-Security-Policy grove writes into _headers, enforced as a host would send it:
// every page loads with no violation (no inline script or style, nothing from elsewhere),
// and the pages' scripts still work under it.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { fail, listPages, siteAndBrowser } from './site.mjs';

const { site, browser, setupError } = await siteAndBrowser();

if (setupError) {
  test('Content-Security-Policy', () => fail(setupError));
} else {
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  test('the served pages carry the policy from _headers', async () => {
    const headers = readFileSync(path.join(site.outDir, '_headers'), 'utf8');
    assert.match(headers, /Content-Security-Policy: default-src 'self'/);
    const res = await fetch(`${site.origin}/`);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  test('no page breaks the policy', async () => {
    const ctx = await browser.newContext();
    const problems = [];
    for (const url of listPages(site.outDir)) {
      const page = await ctx.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) problems.push(`${url}: ${msg.text()}`);
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      await page.goto(`${site.origin}${url}`, { waitUntil: 'load' });
      await page.close();
    }
    await ctx.close();
    assert.deepEqual(problems, []);
  });

  test('the search script still works under the policy', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/search/?q=mindfulness`);
    await page.waitForSelector('.search-hit');
    await page.close();
  });
}
