// `grove serve` in a real browser: a copy of the site is served, the KAP article is
// open in headless Chromium, and files are edited on disk the way a writer would.
// Every tab is opened in one browser context, as a person's browser window is, so all
// of them share the browser's six connections per host.
// The test never navigates after the first load; every change must show by itself:
//   - ten tabs open at once all load, a save reloads every tab showing the edited page,
//     and an eleventh tab still loads;
//   - an edited article reloads the page with the new text, and only that page: a tab
//     on a page that does not show the article stays as it is;
//   - an edited stylesheet changes the computed style without a page load (a window
//     variable set before the edit survives), and the page then links to the
//     stylesheet's new content-hashed name, as a build of the new file would;
//   - a broken file shows the error overlay over the last good page, naming the file and
//     line; the fix removes it;
//   - a restarted server makes the tab reconnect and reload.
// Conditions are awaited with a deadline, never assumed after a sleep.
//
// Environment: GROVE_BIN (default target/release/grove), CHROME_PATH (default /usr/bin/chromium).

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { copySite, startServe, stopServe } from './serve.mjs';
import { chromeArgs, chromePath, fail, missingPrerequisite } from './site.mjs';

const DEADLINE_MS = 10_000;
const ARTICLE = 'content/articles/ketamine-assisted-psychotherapy.md';
const ARTICLE_URL = '/articles/ketamine-assisted-psychotherapy/';
const STYLESHEET = 'themes/oakland/static/css/site.css';

const missing = missingPrerequisite({ browser: true });

if (missing) {
  test('live reload in Chromium', () => fail(missing));
} else {
  describe('grove serve: live reload in Chromium', () => {
    let root;
    let server;
    let browser;
    let context;
    let page;
    let navigations = 0;
    const write = (rel, text) => writeFileSync(path.join(root, rel), text);
    const read = (rel) => readFileSync(path.join(root, rel), 'utf8');
    const bodyText = () => page.evaluate(() => document.body.innerText);
    const waitFor = (fn, arg) => page.waitForFunction(fn, arg, { timeout: DEADLINE_MS, polling: 50 });
    // The navigation count when the page's live-reload socket last said hello: an edit
    // made before the current page has connected could be missed, so each test waits for it.
    let streamAt = -1;
    const connected = async () => {
      const start = Date.now();
      while (streamAt !== navigations) {
        if (Date.now() - start > DEADLINE_MS) fail('the page did not connect to /__grove/live');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    /** Calls `onMessage(json)` for every live-reload message a tab receives. */
    const listen = (tab, onMessage) =>
      tab.on('websocket', (socket) => {
        if (!socket.url().endsWith('/__grove/live')) return;
        socket.on('framereceived', (frame) => onMessage(JSON.parse(frame.payload)));
      });

    before(async () => {
      root = copySite();
      server = await startServe(root);
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
      context = await browser.newContext();
      page = await context.newPage();
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations += 1;
      });
      listen(page, (m) => {
        if (m.event === 'hello') streamAt = navigations;
      });
      const response = await page.goto(server.origin + ARTICLE_URL, { waitUntil: 'load' });
      assert.equal(response.status(), 200);
    });

    after(async () => {
      await browser?.close().catch(() => {});
      await stopServe(server).catch(() => {});
      if (root) {
        assert.ok(!existsSync(path.join(root, 'public')), 'grove serve created public/');
        rmSync(root, { recursive: true, force: true });
      }
    });

    test('ten tabs in one window all load, a save reloads those on the page, an eleventh loads', async () => {
      await connected();
      const urls = [ARTICLE_URL, '/', '/about/', ARTICLE_URL, '/faq/', '/team/', ARTICLE_URL, '/articles/', '/contact/', ARTICLE_URL];
      const tabs = [];
      try {
        for (const url of urls) {
          const tab = await context.newPage();
          const hello = new Promise((resolve) => listen(tab, (m) => m.event === 'hello' && resolve()));
          const response = await tab.goto(server.origin + url, { waitUntil: 'load', timeout: DEADLINE_MS });
          assert.equal(response.status(), 200, url);
          await Promise.race([
            hello,
            new Promise((_, reject) => setTimeout(() => reject(new Error(`${url}: no live-reload hello`)), DEADLINE_MS)),
          ]);
          tabs.push({ tab, url });
        }
        const marker = `Ten tabs check ${process.pid}`;
        write(ARTICLE, read(ARTICLE) + `\n${marker}: every open copy of this article shows this.\n`);
        for (const { tab, url } of tabs.filter((t) => t.url === ARTICLE_URL)) {
          await tab.waitForFunction((text) => document.body.innerText.includes(text), marker, {
            timeout: DEADLINE_MS,
            polling: 50,
          });
          assert.equal(new URL(tab.url()).pathname, url);
        }
        const eleventh = await context.newPage();
        tabs.push({ tab: eleventh, url: '/services/' });
        const response = await eleventh.goto(server.origin + '/services/', { waitUntil: 'load', timeout: DEADLINE_MS });
        assert.equal(response.status(), 200);
      } finally {
        for (const { tab } of tabs) await tab.close();
      }
    });

    test('saving the article shows the new text without the test navigating', async () => {
      await connected();
      const marker = `Live reload check ${process.pid}`;
      const before = navigations;
      write(ARTICLE, read(ARTICLE) + `\n${marker}: this paragraph was added while the page was open.\n`);
      await waitFor((text) => document.body.innerText.includes(text), marker);
      assert.ok(navigations > before, 'the page reloaded itself');
      assert.equal(new URL(page.url()).pathname, ARTICLE_URL);
    });

    test('a tab on a page the edit does not change stays as it is', async () => {
      await connected();
      const other = await context.newPage();
      try {
        let opened = false;
        let cssSeen = false;
        const hello = new Promise((resolve) => listen(other, (m) => {
          if (m.event === 'hello') resolve();
          if (m.event === 'css') cssSeen = true;
        }));
        await other.goto(server.origin + '/about/', { waitUntil: 'load' });
        await hello;
        await other.evaluate(() => {
          window.groveUntouched = true;
        });
        other.on('framenavigated', () => (opened = true));
        const rebuilds = (server.output().match(/^rebuilt /gm) || []).length;
        write(ARTICLE, read(ARTICLE) + '\nA second paragraph, for the other tab.\n');
        await waitFor(() => document.body.innerText.includes('A second paragraph, for the other tab.'));
        // The server logs a rebuild once everything that shows the article is rendered and
        // every message about it sent.
        const start = Date.now();
        while ((server.output().match(/^rebuilt /gm) || []).length === rebuilds) {
          if (Date.now() - start > DEADLINE_MS) fail('the rebuild never finished');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // Messages reach a tab in order: once it has the stylesheet message sent after
        // the rebuild, it has had every message of the rebuild too. Then it gets one turn
        // of its event loop to act on them before it is judged.
        write(STYLESHEET, read(STYLESHEET) + '\n/* touched after the rebuild */\n');
        while (!cssSeen) {
          if (Date.now() - start > DEADLINE_MS) fail('the other tab never heard of the stylesheet');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await other.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
        assert.equal(opened, false, '/about/ does not show the article and must not reload');
        assert.equal(await other.evaluate(() => window.groveUntouched), true);
      } finally {
        await other.close();
      }
    });

    test('editing the stylesheet restyles the page in place, without a reload', async () => {
      await connected();
      await page.evaluate(() => {
        window.groveKeptAcrossCssSwap = 'still here';
      });
      const before = navigations;
      const sheets = await page.evaluate(() => document.querySelectorAll('link[rel~="stylesheet"]').length);
      const oldBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.notEqual(oldBackground, 'rgb(1, 2, 3)');
      const hashed = () => [...document.querySelectorAll('link[rel~="stylesheet"]')]
        .map((l) => new URL(l.href).pathname).filter((p) => /\/css\/site\.[0-9a-f]{16}\.css$/.test(p));
      const [oldHref] = await page.evaluate(hashed);
      assert.ok(oldHref, 'the page links to the content-hashed stylesheet');
      write(STYLESHEET, read(STYLESHEET) + '\nbody { background: rgb(1, 2, 3) !important; }\n');
      await waitFor(() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)');
      assert.equal(await page.evaluate(() => window.groveKeptAcrossCssSwap), 'still here');
      assert.equal(navigations, before, 'a stylesheet change must not reload the page');
      // The old <link> is removed once the new one has loaded: none pile up.
      await waitFor((n) => document.querySelectorAll('link[rel~="stylesheet"]').length === n, sheets);
      // The tab swapped to the new hashed name, which a reload of the page links to too;
      // the old name is gone from the site, as from a build.
      const [newHref] = await page.evaluate(hashed);
      assert.notEqual(newHref, oldHref);
      const start = Date.now();
      while (!(await (await fetch(server.origin + ARTICLE_URL)).text()).includes(newHref)) {
        if (Date.now() - start > DEADLINE_MS) fail(`the page as served never linked to ${newHref}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal((await fetch(server.origin + oldHref)).status, 404);
    });

    test('a broken file shows an overlay over the last good page, and the fix removes it', async () => {
      await connected();
      const good = read(ARTICLE);
      const before = navigations;
      // An unclosed string on line 2 of the front matter.
      write(ARTICLE, good.replace('title = "Ketamine-Assisted Psychotherapy"', 'title = "Ketamine-Assisted Psychotherapy'));
      const overlay = page.locator('#grove-error-overlay');
      await overlay.waitFor({ state: 'visible', timeout: DEADLINE_MS });
      const message = await overlay.innerText();
      assert.match(message, /ketamine-assisted-psychotherapy\.md:2:\d+/);
      assert.equal(navigations, before, 'the last good page stays in place under the overlay');
      assert.match(await bodyText(), /Live reload check/);
      assert.match(server.output(), /ketamine-assisted-psychotherapy\.md:2:\d+/, 'the terminal shows it too');

      write(ARTICLE, good.replace('this paragraph was added', 'this paragraph was fixed'));
      await overlay.waitFor({ state: 'detached', timeout: DEADLINE_MS });
      await waitFor(() => document.body.innerText.includes('this paragraph was fixed'));
    });

    test('after a server restart the tab reconnects and reloads by itself', async () => {
      await connected();
      await page.evaluate(() => {
        window.groveBeforeRestart = true;
      });
      const port = server.port;
      await stopServe(server);
      write(ARTICLE, read(ARTICLE).replace('this paragraph was fixed', 'this paragraph survived a restart'));
      server = await startServe(root, port);
      assert.equal(server.port, port, 'the restarted server got its old port back');
      await waitFor(() => document.body.innerText.includes('this paragraph survived a restart'));
      assert.equal(await page.evaluate(() => window.groveBeforeRestart), undefined);
    });
  });
}
