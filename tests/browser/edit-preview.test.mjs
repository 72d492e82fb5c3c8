// The page beside the editor's text and the drafts on the New content page, tried as a
// staff member would, in one browser window with several tabs, typing with the keyboard:
//   - the preview beside the text is the site's own page (its header and menu, its
//     stylesheet) with the title, date, topics and text as typed, before anything is saved;
//     a script typed into the text does not run in it;
//   - a draft shows its banner there; a text with a problem lists it by its field and keeps
//     the last page that could be shown;
//   - on a phone, "Preview" shows that page in the text's place;
//   - New content lists the drafts, each leading back to its editor, and says so plainly
//     when there are none;
// and axe-core finds 0 violations on each of these views at 390 px and 1280 px.
//
// Environment: GROVE_BIN (default target/release/grove), CHROME_PATH (default /usr/bin/chromium),
// GROVE_SCREENSHOTS (a folder: the screenshots for docs/editing.md are written there).

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { DESKTOP, PHONE, axeViolations, copySite, startServe, stopServe } from './serve.mjs';
import { chromeArgs, chromePath, fail, missingPrerequisite } from './site.mjs';

const DEADLINE_MS = 10_000;
const ARTICLE = 'content/articles/evening-meeting.md';
const ARTICLE_FILE = 'articles/evening-meeting.md';
const screenshots = process.env.GROVE_SCREENSHOTS ? path.resolve(process.env.GROVE_SCREENSHOTS) : null;

async function shot(page, name, options = {}) {
  if (screenshots) await page.screenshot({ path: path.join(screenshots, name), ...options });
}

const missing = missingPrerequisite({ browser: true });

if (missing) {
  test('the page beside the text', () => fail(missing));
} else {
  describe('grove serve: the page beside the text, and the drafts', () => {
    let root;
    let server;
    let browser;
    let context;
    const read = (rel) => readFileSync(path.join(root, rel), 'utf8');

    /** axe at both sizes, on the page as it is now. */
    async function axeBoth(page, what) {
      const problems = [];
      for (const [name, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        await page.setViewportSize(size);
        for (const v of await axeViolations(page)) problems.push(`${what} (${name}): ${v}`);
      }
      await page.setViewportSize(DESKTOP);
      return problems;
    }

    async function openEditor(file) {
      const page = await context.newPage();
      await page.goto(server.origin + '/__grove/edit?file=' + file);
      await page.getByRole('button', { name: 'Save' }).waitFor();
      return page;
    }

    /** Selects what a field holds and types `text` in its place, key by key. */
    async function retype(page, locator, text) {
      await locator.click();
      await page.keyboard.press('Control+a');
      await page.keyboard.type(text);
    }

    before(async () => {
      root = copySite('grove-preview-');
      writeFileSync(
        path.join(root, ARTICLE),
        '+++\ntitle = "An evening meeting"\ndate = 2025-03-14\ndescription = "A short note."\n+++\n\nWe meet in the evening.\n',
      );
      server = await startServe(root);
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
      context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US' });
      context.setDefaultTimeout(DEADLINE_MS);
    });

    after(async () => {
      await browser?.close().catch(() => {});
      await stopServe(server).catch(() => {});
      if (root) rmSync(root, { recursive: true, force: true });
    });

    test('the preview is the site\'s page, with the title, date, topics and text as typed', async () => {
      const before = read(ARTICLE);
      // The article as the site shows it, in a tab of its own: its look is what the frame must show.
      const site = await context.newPage();
      await site.goto(server.origin + '/articles/evening-meeting/');
      const siteLook = await site.evaluate(() => {
        const style = getComputedStyle(document.querySelector('.site-header'));
        return [style.backgroundColor, style.fontFamily, getComputedStyle(document.querySelector('h1')).fontFamily];
      });

      const page = await openEditor(ARTICLE_FILE);
      await retype(page, page.getByLabel(/^Title/), 'An evening meeting, moved');
      const date = page.getByLabel('Published');
      await date.click();
      await page.keyboard.press('Control+a').catch(() => {});
      await date.pressSequentially('04022025');
      const topics = page.getByLabel('Topics', { exact: true });
      await topics.click();
      await page.keyboard.type('evening groups');
      await page.keyboard.press('Enter');
      const text = page.getByLabel('Text', { exact: true });
      await text.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\nBring a friend if you like.\n\n<script>document.body.dataset.ran = "yes"</script>\n');

      const frame = page.frameLocator('#preview');
      await frame.getByText('Bring a friend if you like.').waitFor();
      await frame.getByRole('heading', { level: 1, name: 'An evening meeting, moved' }).waitFor();
      // The site's own header and menu, the date as the site writes it, the new topic.
      await frame.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Articles' }).waitFor();
      await frame.locator('time').filter({ hasText: 'April 2, 2025' }).first().waitFor();
      await frame.getByRole('link', { name: 'evening groups' }).waitFor();
      // The site's stylesheet is applied in the frame as in the site's own tab.
      const inner = page.frames().find((f) => f !== page.mainFrame());
      const frameLook = await inner.evaluate(() => {
        const style = getComputedStyle(document.querySelector('.site-header'));
        return [style.backgroundColor, style.fontFamily, getComputedStyle(document.querySelector('h1')).fontFamily];
      });
      assert.deepEqual(frameLook, siteLook);
      // A script in the text does not run in the frame (it is a page of the site's, not the editor's).
      assert.equal(await inner.evaluate(() => document.body.dataset.ran ?? null), null);
      assert.equal(await inner.evaluate(() => document.querySelectorAll('script').length > 0), true, 'the script is in the page');
      assert.equal(read(ARTICLE), before, 'nothing is saved by the preview');
      await page.locator('#preview-section').scrollIntoViewIfNeeded();
      await shot(page, 'editor-preview.png');
      const problems = await axeBoth(page, 'editor with the page beside it');
      assert.deepEqual(problems, []);
      await site.close();
      await page.close();
    });

    test('a draft shows its banner; a problem is listed by its field and the last page stays', async () => {
      const page = await openEditor(ARTICLE_FILE);
      const frame = page.frameLocator('#preview');
      await frame.getByRole('heading', { level: 1, name: 'An evening meeting' }).waitFor();
      await page.getByLabel('Draft', { exact: true }).check();
      await frame.getByText('not on the published site').first().waitFor();

      const text = page.getByLabel('Text', { exact: true });
      await text.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\nSee [the old notes](@/articles/old-notes.md).\n');
      const problems = page.locator('#preview-problems');
      await problems.getByText('The preview shows the page as it was before these problems').waitFor();
      const link = problems.getByRole('link', { name: /old-notes/ });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), '#body');
      // The last page that could be shown is still there, with its banner.
      await frame.getByText('not on the published site').first().waitFor();
      assert.equal(await frame.getByText('See the old notes').count(), 0);
      await page.locator('#preview-problems').scrollIntoViewIfNeeded();
      await shot(page, 'editor-preview-problem.png');
      const found = await axeBoth(page, 'a problem under the page');
      // Fixed: the page comes back, the problem goes.
      await retype(page, text, 'We meet in the evening.\n\nSee the notes of the last meeting.\n');
      await frame.getByText('See the notes of the last meeting.').waitFor();
      assert.equal(await problems.textContent(), '');
      assert.deepEqual(found, []);
      await page.close({ runBeforeUnload: false });
    });

    test('on a phone, "Preview" shows the site\'s page in the text\'s place', async () => {
      const page = await openEditor(ARTICLE_FILE);
      await page.setViewportSize(PHONE);
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      const frame = page.frameLocator('#preview');
      await frame.getByRole('heading', { level: 1, name: 'An evening meeting' }).waitFor();
      assert.equal(await page.locator('#preview').isVisible(), true);
      assert.equal(await page.getByLabel('Text', { exact: true }).isVisible(), false);
      // The site's phone layout, inside the frame: its menu button or its menu.
      const box = await page.locator('#preview').boundingBox();
      assert.ok(box.width <= PHONE.width, `${box.width}`);
      await page.locator('#preview').scrollIntoViewIfNeeded();
      await shot(page, 'editor-phone-preview.png');
      const problems = [];
      for (const v of await axeViolations(page)) problems.push(`phone preview: ${v}`);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('New content lists the drafts, each leading back to its editor', async () => {
      const list = await context.newPage();
      await list.goto(server.origin + '/__grove/new');
      const drafts = list.getByRole('region', { name: 'Drafts' });
      await drafts.waitFor();
      const empty = await drafts.getByText('There are no drafts').count();
      const problems = [];
      if (empty) problems.push(...(await axeBoth(list, 'no drafts')));

      // A new article, typed in another tab: it starts as a draft.
      const maker = await context.newPage();
      await maker.goto(server.origin + '/__grove/new');
      await maker.getByLabel('Article').check();
      await maker.getByLabel(/^Title/).click();
      await maker.keyboard.type('Notes on the spring groups');
      await maker.keyboard.press('Enter');
      await maker.waitForURL(/file=articles\/notes-on-the-spring-groups\.md/);
      await maker.close();

      // The list, opened again, leads back to it (once the preview has seen the file).
      const link = drafts.getByRole('link', { name: 'Notes on the spring groups', exact: true });
      for (let tries = 0; tries < 50 && !(await link.count()); tries++) {
        await list.waitForTimeout(100);
        await list.reload();
      }
      await link.waitFor();
      assert.match(await drafts.textContent(), /not on the published site yet/);
      await drafts.getByRole('link', { name: /^View the draft “Notes on the spring groups”/ }).waitFor();
      await shot(list, 'new-content-drafts.png', { fullPage: true });
      problems.push(...(await axeBoth(list, 'drafts')));
      await link.click();
      await list.waitForURL(/\/__grove\/edit\?file=articles\/notes-on-the-spring-groups\.md$/);
      await list.getByRole('button', { name: 'Save' }).waitFor();
      assert.equal(await list.getByLabel('Draft', { exact: true }).isChecked(), true);
      assert.deepEqual(problems, []);
      await list.close();
    });
  });
}
