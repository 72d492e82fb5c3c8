// Editing in the preview, in a real browser, as a staff member does it: every tab in one
// browser context (one window), the article open in one tab while it is edited in another.
//   - the article has a link named "Edit this page"; it opens a form with labelled fields,
//     the text, and a live preview of the text;
//   - changing the title and a paragraph and pressing Save writes the file, and the tab
//     showing the article reloads by itself with the change;
//   - an invalid date is shown by its field and the file stays as it was;
//   - a change made on disk after the editor opened the file is detected: nothing is
//     written, and the edited text stays in the form;
//   - a page of another site cannot write (no key, foreign Origin), nor can the editor's
//     own page write outside content/;
//   - a <script> in a FAQ answer, viewed in the preview, cannot read the editor's key
//     (same-origin fetch, the "Edit this page" link, a popup) nor make a save succeed;
//   - axe-core finds 0 WCAG 2.1 A/AA violations in the editor and the new-content page,
//     at 390 px and on a desktop, and nothing sticks out sideways on the phone;
//   - "New content" makes a FAQ entry and opens it in the editor.
// GROVE_SCREENSHOTS=docs/images writes the screenshots of docs/editing.md.
//
// Environment: GROVE_BIN (default target/release/grove), CHROME_PATH (default /usr/bin/chromium).

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { DESKTOP, PHONE, axeViolations, copySite, startServe, stopServe } from './serve.mjs';
import { chromeArgs, chromePath, fail, missingPrerequisite } from './site.mjs';

const DEADLINE_MS = 10_000;
const ARTICLE = 'content/articles/ketamine-assisted-psychotherapy.md';
const ARTICLE_URL = '/articles/ketamine-assisted-psychotherapy/';
const TIMED = 'content/articles/open-house.md';
const ATTACK = 'content/faq/pasted-from-elsewhere.md';
// A FAQ answer with a script pasted into it, as from another site's embed code. It tries
// the three routes to the editor: a same-origin fetch of the editor page (to read the key
// from its <meta>), the "Edit this page" link's address, and a popup of the editor; then
// saves with whatever it found. It writes what it got into the page.
const ATTACK_TEXT = `+++
title = "Can I pay online?"
weight = 999
+++

Ask at the front desk.

<p id="attack-result">waiting</p><pre id="attack-log"></pre>
<script>
(async () => {
  const log = { ran: true, keys: [], saves: [] };
  let version = 'x';
  const keyIn = (html) => {
    version = (html.match(/data-version="([0-9a-f]+)"/) || [])[1] || version;
    return (html.match(/name="grove-secret" content="([0-9a-f]{64})"/) || [])[1];
  };
  const tryRead = async (url) => {
    try { const r = await fetch(url); const k = keyIn(await r.text()); if (k) log.keys.push(k); } catch (e) {}
  };
  await tryRead('/__grove/edit?file=about.md');
  const link = [...document.querySelectorAll('a')].find((a) => a.textContent === 'Edit this page');
  await tryRead(link ? link.href : '/__grove/edit?file=faq/pasted-from-elsewhere.md');
  const popup = window.open('/__grove/edit?file=about.md', '_blank');
  await new Promise((r) => setTimeout(r, 1500));
  try { const k = keyIn(popup.document.documentElement.outerHTML); if (k) log.keys.push(k); } catch (e) {}
  const key = log.keys[0] || '';
  const body = JSON.stringify({ file: 'about.md', version, fields: { title: 'Hacked' }, body: 'Hacked.' });
  for (const url of ['/__grove/api/save', link ? new URL('/__grove/api/save', link.href).href : '']) {
    if (!url) continue;
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Grove-Secret': key }, body });
      log.saves.push(r.status);
    } catch (e) { log.saves.push('blocked'); }
  }
  document.getElementById('attack-log').textContent = JSON.stringify(log);
  document.getElementById('attack-result').textContent = 'done';
})();
</script>
`;
const screenshots = process.env.GROVE_SCREENSHOTS ? path.resolve(process.env.GROVE_SCREENSHOTS) : null;

/** A page of another site on 127.0.0.1 that tries to save through the preview and the editor. */
function startForeignSite(...origins) {
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Another site</title></head><body><p id="done">...</p><script>
    const body = JSON.stringify({ file: "articles/ketamine-assisted-psychotherapy.md", version: "x", fields: { title: "Hacked" }, body: "Hacked." });
    Promise.allSettled(${JSON.stringify(origins)}.flatMap((origin) => [
      fetch(origin + "/__grove/api/save", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body }),
      fetch(origin + "/__grove/api/new", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ kind: "page", title: "Hacked" }) }),
    ])).then(() => { document.getElementById("done").textContent = "sent"; });
  </script></body></html>`;
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const missing = missingPrerequisite({ browser: true });

if (missing) {
  test('editing in Chromium', () => fail(missing));
} else {
  describe('grove serve: editing in the browser', () => {
    let root;
    let server;
    let browser;
    let context;
    const read = (rel) => readFileSync(path.join(root, rel), 'utf8');
    const write = (rel, text) => writeFileSync(path.join(root, rel), text);
    const axe = axeViolations;

    /** A screenshot for docs/editing.md; `at` scrolls that element to the top first. */
    async function shot(page, name, { at = null, height = null } = {}) {
      if (!screenshots) return;
      const size = page.viewportSize();
      if (height) await page.setViewportSize({ width: size.width, height });
      if (at) await page.locator(at).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      else await page.evaluate(() => window.scrollTo(0, 0));
      await page.evaluate(() => document.getElementById('body')?.scrollTo(0, 0));
      await page.screenshot({ path: path.join(screenshots, name) });
      if (height) await page.setViewportSize(size);
    }

    /** Opens the editor for the article from the article's page, as a person does. */
    async function openEditor(page) {
      await page.goto(server.origin + ARTICLE_URL);
      await page.getByRole('link', { name: 'Edit this page' }).click();
      await page.waitForURL(/\/__grove\/edit\?file=/);
      await page.getByLabel(/^Title/).waitFor();
    }

    before(async () => {
      root = copySite('grove-edit-');
      write(
        TIMED,
        '+++\ntitle = "Open house"\ndate = 2025-03-14T09:00:00\ndescription = "An evening to meet the team."\n+++\n\nCome and meet us.\n',
      );
      write(ATTACK, ATTACK_TEXT);
      server = await startServe(root);
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
      context = await browser.newContext({ viewport: DESKTOP });
      context.setDefaultTimeout(DEADLINE_MS);
    });

    after(async () => {
      await browser?.close().catch(() => {});
      await stopServe(server).catch(() => {});
      if (root) rmSync(root, { recursive: true, force: true });
    });

    test('change the title and a paragraph, Save: the file and the open article change', async () => {
      const reader = await context.newPage();
      await reader.goto(server.origin + ARTICLE_URL);
      await shot(reader, 'edit-link.png');
      const editor = await context.newPage();
      await openEditor(editor);
      const title = editor.getByLabel(/^Title/);
      assert.equal(await title.inputValue(), 'Ketamine-Assisted Psychotherapy');
      const text = editor.getByLabel('Text', { exact: true });
      const body = await text.inputValue();
      assert.ok(body.startsWith('\nFor many people, traditional talk therapy'), JSON.stringify(body.slice(0, 80)));
      await title.fill('Ketamine-Assisted Psychotherapy: a guide');
      await text.fill(body.replace('For many people, traditional talk therapy', 'For many of the people we meet, talk therapy'));
      // The preview beside the text shows it as the site will.
      const preview = editor.frameLocator('#preview');
      await preview.getByText('For many of the people we meet, talk therapy').first().waitFor();
      await shot(editor, 'editor.png', { height: 1250 });
      const reloaded = reader.waitForEvent('load', { timeout: DEADLINE_MS });
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor.getByRole('status').filter({ hasText: 'Saved at' }).first().waitFor();
      const saved = read(ARTICLE);
      assert.match(saved, /^\+\+\+\ntitle = "Ketamine-Assisted Psychotherapy: a guide"\n/);
      assert.ok(saved.includes('\nFor many of the people we meet, talk therapy and standard psychiatric'), saved.slice(0, 600));
      assert.ok(saved.includes('tags = ["ketamine-assisted psychotherapy"'), 'other fields kept');
      await reloaded;
      await reader.waitForFunction(() => document.querySelector('h1')?.textContent.includes('a guide'), null, {
        timeout: DEADLINE_MS,
      });
      assert.ok((await reader.textContent('main')).includes('For many of the people we meet'));
      await reader.close();
      await editor.close();
    });

    test('an invalid date is shown by its field, and the file stays as it was', async () => {
      const before = read(TIMED);
      const editor = await context.newPage();
      await editor.goto(server.origin + '/__grove/edit?file=articles/open-house.md');
      const date = editor.getByLabel('Published');
      assert.equal(await date.inputValue(), '2025-03-14T09:00:00');
      await date.fill('14 March, 9 in the morning');
      await editor.getByRole('button', { name: 'Save' }).click();
      const error = editor.locator('#f-date-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.textContent(), /date/i);
      assert.equal(await date.getAttribute('aria-invalid'), 'true');
      assert.match(await editor.locator('#summary').textContent(), /fix/i);
      assert.equal(read(TIMED), before);
      await shot(editor, 'editor-error.png');
      await editor.close();
    });

    test('a change on disk since the editor opened is detected, and the edited text stays', async () => {
      const editor = await context.newPage();
      await openEditor(editor);
      // Typed first, then the file changes on disk (a colleague, another program).
      const text = editor.getByLabel('Text', { exact: true });
      const mine = (await text.inputValue()) + '\nA paragraph of mine.\n';
      await text.fill(mine);
      const theirs = read(ARTICLE).replace('In this comprehensive guide', 'In this guide, changed elsewhere,');
      write(ARTICLE, theirs);
      // The tab says so before Save is pressed, and keeps what was typed.
      await editor.locator('#elsewhere').getByText('This page was changed elsewhere').waitFor();
      assert.equal(await text.inputValue(), mine);
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor.locator('#conflict').getByText('This page was changed elsewhere since you opened it').waitFor();
      assert.ok((await editor.locator('#conflict-theirs').textContent()).includes('changed elsewhere,'));
      assert.equal(await text.inputValue(), mine);
      assert.equal(read(ARTICLE), theirs);
      await editor.close();
    });

    test('another site cannot write, and the editor cannot write outside content/', async () => {
      const before = { article: read(ARTICLE), config: read('config.toml') };
      const foreign = await startForeignSite(server.origin, server.editorOrigin);
      try {
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${foreign.address().port}/`);
        await page.getByText('sent').waitFor();
        const editor = await context.newPage();
        await openEditor(editor);
        const answers = await editor.evaluate(async () => {
          const secret = document.querySelector('meta[name="grove-secret"]').content;
          const version = document.getElementById('editor').dataset.version;
          const send = (headers, file) =>
            fetch('/__grove/api/save', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', ...headers },
              body: JSON.stringify({ file, version, fields: {}, body: 'x' }),
            }).then((r) => r.status);
          return {
            noKey: await send({}, 'articles/ketamine-assisted-psychotherapy.md'),
            wrongKey: await send({ 'X-Grove-Secret': 'f'.repeat(64) }, 'articles/ketamine-assisted-psychotherapy.md'),
            config: await send({ 'X-Grove-Secret': secret }, '../config.toml'),
          };
        });
        assert.deepEqual(answers, { noKey: 403, wrongKey: 403, config: 403 });
        assert.equal(read(ARTICLE), before.article);
        assert.equal(read('config.toml'), before.config);
        assert.ok(!existsSync(path.join(root, 'content', 'hacked.md')));
        await page.close();
        await editor.close();
      } finally {
        foreign.close();
      }
    });

    test("a script in a page of the site cannot read the editor's key nor save", async () => {
      const before = { about: read('content/about.md'), faq: read(ATTACK) };
      const page = await context.newPage();
      await page.goto(server.origin + '/faq/');
      // FAQ answers are folded: the result is read, not seen.
      await page.waitForFunction(() => document.getElementById('attack-result')?.textContent === 'done');
      const found = JSON.parse(await page.locator('#attack-log').textContent());
      // The script ran (raw HTML is published as written), and every route was closed.
      assert.equal(found.ran, true);
      assert.deepEqual(found.keys, [], 'a key was read: ' + JSON.stringify(found));
      assert.ok(found.saves.every((s) => s !== 200), 'a save succeeded: ' + JSON.stringify(found));
      assert.equal(read('content/about.md'), before.about);
      assert.equal(read(ATTACK), before.faq);
      for (const p of context.pages()) if (p !== page && p.url().includes('__grove')) await p.close();
      await page.close();
    });

    test('the editor and the new-content page: 0 axe violations on a phone and a desktop', async () => {
      const problems = [];
      for (const [name, size] of [
        ['phone', PHONE],
        ['desktop', DESKTOP],
      ]) {
        const page = await context.newPage();
        await page.setViewportSize(size);
        for (const url of ['/__grove/edit?file=articles/ketamine-assisted-psychotherapy.md', '/__grove/new', ARTICLE_URL]) {
          await page.goto(server.origin + url);
          for (const v of await axe(page)) problems.push(`${name} ${url}: ${v}`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (wide > 0) problems.push(`${name} ${url}: ${wide} px wider than the screen`);
        }
        if (name === 'phone') {
          await page.goto(server.origin + '/__grove/edit?file=articles/ketamine-assisted-psychotherapy.md');
          // Text above the preview on a phone.
          const text = await page.locator('#body').boundingBox();
          const preview = await page.locator('#preview').boundingBox();
          assert.ok(preview.y > text.y + text.height - 1, 'the preview is below the text on a phone');
          await shot(page, 'editor-phone.png', { at: '.text' });
        } else {
          await page.goto(server.origin + '/__grove/edit?file=articles/ketamine-assisted-psychotherapy.md');
          const text = await page.locator('#body').boundingBox();
          const preview = await page.locator('#preview').boundingBox();
          assert.ok(preview.x > text.x + text.width - 1, 'the preview is beside the text on a desktop');
        }
        await page.close();
      }
      assert.deepEqual(problems, []);
    });

    test('New content makes a FAQ entry and opens it in the editor', async () => {
      const page = await context.newPage();
      await page.goto(server.origin + ARTICLE_URL);
      await page.getByRole('link', { name: 'New content' }).click();
      await page.getByLabel('FAQ entry').check();
      await page.getByLabel(/^Title/).fill('Do you offer sessions online?');
      await shot(page, 'new-content.png');
      await page.getByRole('button', { name: 'Create and edit' }).click();
      await page.waitForURL(/file=faq\/do-you-offer-sessions-online\.md/);
      assert.equal(await page.getByLabel(/^Question/).inputValue(), 'Do you offer sessions online?');
      assert.ok(existsSync(path.join(root, 'content/faq/do-you-offer-sessions-online.md')));
      await page.close();
    });
  });
}
