// Site search in a real browser: type a query into the search page and see the expected
// pages, with the match highlighted; the index stays small for the real site.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

import { fail, siteAndBrowser } from './site.mjs';

const { site, browser, setupError } = await siteAndBrowser();

if (setupError) {
  test('site search in the browser', () => fail(setupError));
} else {
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  test('the real site index is under 30 KB gzipped', () => {
    const bytes = readFileSync(path.join(site.outDir, 'search-index.json'));
    const gz = gzipSync(bytes).length;
    assert.ok(gz < 30 * 1024, `search-index.json is ${gz} bytes gzipped`);
  });

  test('typing "trauma" finds the article, the PTSD answer and the bios that mention trauma', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/search/`);
    await page.getByLabel('Search for').fill('trauma');
    await page.waitForSelector('.search-hit');
    const hits = await page.$$eval('.search-hit', (items) =>
      items.map((li) => ({
        title: li.querySelector('.search-hit-title').textContent,
        href: li.querySelector('a').getAttribute('href'),
        section: li.querySelector('.search-hit-section')?.textContent ?? '',
        marks: li.querySelectorAll('mark').length,
      })),
    );
    const hrefs = hits.map((h) => h.href);
    assert.ok(hrefs.includes('/articles/ketamine-assisted-psychotherapy/'), JSON.stringify(hrefs));
    assert.ok(hrefs.includes('/faq/what-conditions-can-kap-help/'), JSON.stringify(hrefs));
    for (const bio of ['alyson-barry', 'ariana-tavano', 'jay-indik', 'rochelle-frank']) {
      assert.ok(hrefs.includes(`/team/${bio}/`), `${bio} missing from ${JSON.stringify(hrefs)}`);
    }
    assert.ok(hits.every((h) => h.marks > 0), 'every result highlights the match');
    assert.ok(hits.some((h) => h.section === 'Our team'), 'results name their section');
    const status = await page.textContent('#search_status');
    assert.match(status, /pages match “trauma”/);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'trauma', 'the query is kept in the address');
    await page.close();
  });

  test('the search works from the keyboard and from a link with ?q=', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/search/?q=integration%20sessions`);
    await page.waitForSelector('.search-hit');
    const first = await page.textContent('.search-hit-title');
    assert.ok(first.length > 0);
    await page.getByLabel('Search for').fill('');
    await page.keyboard.type('pickleball');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.search-hit').length === 1);
    assert.equal(await page.getAttribute('.search-hit a', 'href'), '/team/rajesh-jagannathan/');
    // From the box, Tab reaches the button and then the first result.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    // Past the typing timer (120 ms): the list must not be made again under the focus.
    await page.waitForTimeout(300);
    const focused = await page.evaluate(() => document.activeElement.getAttribute('href'));
    assert.equal(focused, '/team/rajesh-jagannathan/');
    await page.close();
  });

  test('no results says so, and without JavaScript a fallback message shows', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/search/?q=zzzzqqq`);
    await page.waitForFunction(() => document.getElementById('search_status').textContent.includes('No pages'));
    await page.close();
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await ctx.newPage();
    await noJs.goto(`${site.origin}/search/`);
    const text = await noJs.textContent('main');
    assert.match(text, /needs JavaScript/);
    await ctx.close();
  });
}
