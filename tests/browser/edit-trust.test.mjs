// The editor tried as a staff member would, in one browser window with several tabs,
// typing with the keyboard, including the wrong way:
//   1. 31 February typed into "Published": Save is refused by the field, the file keeps its date;
//   2. topics typed as the help's example (["anxiety", "mindfulness"]) become two clean topics;
//   3. after Ctrl+S, following a link asks nothing ("All changes saved" is true);
//   4. a tab closed with unsaved text: reopening the editor offers to restore it;
//   5. two tabs on one page: the second learns of the first's save before pressing Save, and
//      sees both versions side by side;
//   6. New content starts as a draft with no placeholder text, and a build leaves it out;
//   7. Delete this page asks first, names the links to it, and Undo puts it back;
//   8. the team Photo field takes a photo from the computer ("Choose a photo"), and the
//      round picture shows the square the site cuts, around the face clicked in the photo;
// and axe-core finds 0 violations on each new view at 390 px and 1280 px.
//
// Environment: GROVE_BIN (default target/release/grove), CHROME_PATH (default /usr/bin/chromium).

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { copySite, startServe, stopServe } from './serve.mjs';
import { chromeArgs, chromePath, fail, groveBin, missingPrerequisite } from './site.mjs';

const require = createRequire(import.meta.url);
const DEADLINE_MS = 10_000;
const ARTICLE = 'content/articles/evening-meeting.md';
const ARTICLE_FILE = 'articles/evening-meeting.md';
const TEAM = 'content/team/alyson-barry.md';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
};
// The smallest PNG: one pixel.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082',
  'hex',
);

const screenshots = process.env.GROVE_SCREENSHOTS ? path.resolve(process.env.GROVE_SCREENSHOTS) : null;

/** A screenshot for docs/editing.md (GROVE_SCREENSHOTS=docs/images); `at` is scrolled into view. */
async function shot(page, name, at = null) {
  if (!screenshots) return;
  if (at) await page.locator(at).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(screenshots, name) });
}

const missing = missingPrerequisite({ browser: true });

if (missing) {
  test('the editor, tried as staff would', () => fail(missing));
} else {
  describe('grove serve: an editor staff can trust', () => {
    let root;
    let server;
    let browser;
    let context;
    const read = (rel) => readFileSync(path.join(root, rel), 'utf8');
    const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    const editUrl = (file) => server.origin + '/__grove/edit?file=' + file;

    async function axe(page) {
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
      return page.evaluate(async (options) => {
        const result = await window.axe.run(document, options);
        return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      }, AXE_OPTIONS);
    }

    /** axe at both sizes, on the page as it is now. */
    async function axeBoth(page, what) {
      const problems = [];
      for (const [name, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        await page.setViewportSize(size);
        for (const v of await axe(page)) problems.push(`${what} (${name}): ${v}`);
      }
      await page.setViewportSize(DESKTOP);
      return problems;
    }

    async function openEditor(file) {
      const page = await context.newPage();
      await page.goto(editUrl(file));
      await page.getByRole('button', { name: 'Save' }).waitFor();
      return page;
    }

    before(async () => {
      root = copySite('grove-trust-');
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

    test('1. 31 February typed into Published is refused by its field; the date stays in the file', async () => {
      const before = read(ARTICLE);
      assert.match(before, /\ndate = /);
      const page = await openEditor(ARTICLE_FILE);
      const date = page.getByLabel('Published');
      await date.click();
      // The date control's segments, typed as a person types them: month, day, year.
      await date.press('Control+a').catch(() => {});
      await date.pressSequentially('02312025');
      assert.equal(await date.evaluate((el) => el.validity.badInput), true, 'Chromium reads no date');
      await page.keyboard.press('Control+s');
      const error = page.locator('#f-date-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.textContent(), /Published is not a date/);
      assert.equal(await page.locator('#status').textContent(), 'Not saved: fix what is marked, then save again. The file is as it was.');
      assert.equal(read(ARTICLE), before);
      await page.close();
    });

    test('a word typed as the Order is refused in the form\'s words', async () => {
      const file = 'content/faq/how-long-do-effects-last.md';
      const before = read(file);
      const page = await openEditor(file.replace(/^content\//, ''));
      const order = page.getByLabel('Order');
      await order.fill('');
      await order.pressSequentially('last');
      await page.getByRole('button', { name: 'Save' }).click();
      const error = page.locator('#f-weight-error');
      await error.waitFor({ state: 'visible' });
      assert.equal(await error.textContent(), 'Order must be a whole number, e.g. 10');
      assert.equal(read(file), before);
      await page.close();
    });

    test('2. topics typed as the example become clean topics; 3. after Ctrl+S, leaving asks nothing', async () => {
      const page = await openEditor(ARTICLE_FILE);
      const status = page.locator('#status');
      assert.equal(await status.textContent(), 'All changes saved');
      const topics = page.getByLabel('Topics', { exact: true });
      await topics.click();
      await topics.pressSequentially('["anxiety", "mindfulness"]');
      await topics.press('Enter');
      assert.equal(await status.textContent(), 'Unsaved changes');
      await shot(page, 'editor-topics.png', '#f-tags');
      const chips = await page.locator('#f-tags-chips li span').allTextContents();
      assert.ok(chips.includes('anxiety') && chips.includes('mindfulness'), JSON.stringify(chips));
      assert.ok(!chips.some((c) => /[\[\]"]/.test(c)), JSON.stringify(chips));
      await page.keyboard.press('Control+s');
      await status.filter({ hasText: 'All changes saved at' }).waitFor();
      const saved = read(ARTICLE);
      const tags = saved.match(/^tags = (.*)$/m)[1];
      assert.ok(tags.includes('"anxiety"') && tags.includes('"mindfulness"'), tags);
      assert.ok(!tags.includes('["anxiety"\''), tags);
      let asked = false;
      page.on('dialog', async (d) => {
        asked = true;
        await d.dismiss();
      });
      await page.getByRole('link', { name: 'Home page' }).click();
      await page.waitForURL(server.origin + '/');
      assert.equal(asked, false, 'a leave warning after a save');
      await page.close();
    });

    test('4. a tab closed with unsaved text: reopening offers to restore it', async () => {
      const before = read(TEAM);
      const page = await openEditor('team/alyson-barry.md');
      const text = page.getByLabel('Text', { exact: true });
      await text.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\nA sentence typed before the tab was closed.');
      await page.waitForTimeout(600); // the backup is written 300 ms after the last key
      await page.close({ runBeforeUnload: false });
      assert.equal(read(TEAM), before);
      const again = await openEditor('team/alyson-barry.md');
      const restore = again.getByRole('button', { name: /^Restore what you typed at \d/ });
      await restore.waitFor();
      await shot(again, 'editor-restore.png');
      const problems = await axeBoth(again, 'restore offer');
      await restore.click();
      assert.ok((await again.getByLabel('Text', { exact: true }).inputValue()).includes('typed before the tab was closed'));
      assert.equal(await again.locator('#status').textContent(), 'Unsaved changes');
      assert.deepEqual(problems, []);
      // Discarded by saving: the offer does not come back.
      await again.getByRole('button', { name: 'Save' }).click();
      await again.locator('#status').filter({ hasText: 'All changes saved at' }).waitFor();
      assert.ok(read(TEAM).includes('typed before the tab was closed'));
      await again.close();
    });

    test('5. two tabs on one page: the second learns of the save, and sees both versions', async () => {
      const first = await openEditor('about.md');
      const second = await openEditor('about.md');
      const mine = second.getByLabel('Text', { exact: true });
      await mine.click();
      await second.keyboard.press('Control+End');
      await second.keyboard.type('\nWritten in the second tab.');
      const theirs = first.getByLabel('Text', { exact: true });
      await theirs.click();
      await first.keyboard.press('Control+End');
      await first.keyboard.type('\nWritten in the first tab.');
      await first.getByRole('button', { name: 'Save' }).click();
      await first.locator('#status').filter({ hasText: 'All changes saved at' }).waitFor();
      // Before pressing Save, the second tab says so.
      await second.locator('#elsewhere').getByText('This page was changed elsewhere').waitFor();
      await second.getByRole('button', { name: 'Save' }).click();
      const conflict = second.locator('#conflict');
      await conflict.waitFor({ state: 'visible' });
      assert.ok((await second.locator('#conflict-theirs').textContent()).includes('Written in the first tab.'));
      assert.ok((await second.locator('#conflict-mine').textContent()).includes('Written in the second tab.'));
      assert.ok((await second.locator('#conflict-mine .differs').count()) > 0, 'changed lines marked');
      await shot(second, 'editor-conflict.png', '#conflict');
      const problems = await axeBoth(second, 'two versions');
      assert.ok(!read('content/about.md').includes('second tab'), 'nothing was overwritten');
      await second.getByRole('button', { name: 'Keep mine' }).click();
      await second.locator('#status').filter({ hasText: 'All changes saved at' }).waitFor();
      assert.ok(read('content/about.md').includes('Written in the second tab.'));
      assert.deepEqual(problems, []);
      await first.close();
      await second.close();
    });

    test('6. New content starts as a draft with no placeholder text, and a build leaves it out', async () => {
      const page = await context.newPage();
      await page.goto(server.origin + '/__grove/new');
      await page.getByLabel('FAQ entry').check();
      await page.getByLabel(/^Title/).fill('Do you see teenagers?');
      await page.getByRole('button', { name: 'Create and edit' }).click();
      await page.waitForURL(/file=faq\/do-you-see-teenagers\.md/);
      const made = read('content/faq/do-you-see-teenagers.md');
      assert.match(made, /\ndraft = true /);
      assert.equal(made.split('+++')[2].trim(), '', 'no placeholder body');
      assert.ok(await page.getByLabel('Draft').isChecked());
      // The same title again: the message leads to the page that exists.
      const other = await context.newPage();
      await other.goto(server.origin + '/__grove/new');
      await other.getByLabel('FAQ entry').check();
      await other.getByLabel(/^Title/).fill('Do you see teenagers?');
      await other.getByRole('button', { name: 'Create and edit' }).click();
      await other.getByText('A FAQ entry with this question exists already').waitFor();
      await other.getByRole('link', { name: 'Open it' }).click();
      await other.waitForURL(/file=faq\/do-you-see-teenagers\.md/);
      const out = path.join(tmpdir(), `grove-trust-build-${process.pid}`);
      execFileSync(groveBin(), ['build', '--root', root, '--output', out], { stdio: 'pipe' });
      const faq = readFileSync(path.join(out, 'faq', 'index.html'), 'utf8');
      assert.ok(!faq.includes('teenagers'), 'a draft in the built FAQ page');
      rmSync(out, { recursive: true, force: true });
      await page.close();
      await other.close();
    });

    test('7. Delete this page asks first, names the links to it, and Undo puts it back', async () => {
      // The About page: the article on ketamine-assisted psychotherapy links to it.
      const rel = 'content/about.md';
      const text = read(rel);
      const page = await openEditor(rel.replace(/^content\//, ''));
      await page.getByRole('button', { name: 'Delete this page' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      assert.match(await dialog.textContent(), /Delete “About the center”\?/);
      await dialog.getByRole('link', { name: 'Ketamine-Assisted Psychotherapy' }).waitFor();
      assert.match(await dialog.textContent(), /links? to it; th(at|ose) links? will be broken/);
      await shot(page, 'editor-delete.png');
      const problems = await axeBoth(page, 'delete dialog');
      await dialog.getByRole('button', { name: /^Delete “/ }).click();
      await page.getByRole('heading', { name: /^Deleted/ }).waitFor();
      assert.ok(!existsSync(path.join(root, rel)), 'the file is still there');
      assert.ok(existsSync(path.join(root, '.grove', 'trash')), 'no trash folder');
      problems.push(...(await axeBoth(page, 'deleted')));
      await page.getByRole('button', { name: 'Undo: put it back' }).click();
      await page.getByRole('button', { name: 'Save' }).waitFor();
      assert.equal(read(rel), text);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('on a phone, "Preview" shows the page in place of the text, and back', async () => {
      const page = await openEditor(ARTICLE_FILE);
      await page.setViewportSize(PHONE);
      const toggle = page.getByRole('button', { name: 'Preview', exact: true });
      const text = page.getByLabel('Text', { exact: true });
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      assert.equal(await text.isVisible(), false);
      const frame = await page.locator('#preview').boundingBox();
      assert.ok(frame && frame.y < PHONE.height * 2, 'the preview is near the top');
      await toggle.click();
      assert.equal(await text.isVisible(), true);
      await page.setViewportSize(DESKTOP);
      assert.equal(await toggle.isVisible(), false, 'no toggle beside each other');
      await page.close();
    });

    test('8. the team Photo field takes a photo from the computer', async () => {
      const page = await openEditor('team/alyson-barry.md');
      const photoFile = path.join(tmpdir(), `alyson-${process.pid}.png`);
      writeFileSync(photoFile, PNG);
      await page.getByLabel('Choose a photo').setInputFiles(photoFile);
      await page.getByText(/^Chosen: \/images\/team\//).waitFor();
      const value = await page.getByLabel('Photo', { exact: true }).inputValue();
      assert.match(value, /^\/images\/team\/alyson-\d+\.png$/);
      assert.ok(existsSync(path.join(root, 'static', value)));
      assert.equal(await page.locator('#f-photo-img').isVisible(), true);
      await shot(page, 'editor-photo.png', '#f-photo');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#status').filter({ hasText: 'All changes saved at' }).waitFor();
      assert.ok(read(TEAM).includes(`photo = "${value}"`));
      rmSync(photoFile, { force: true });
      await page.close();
    });

    test('8b. the round photo shows the square the site cuts, around the face clicked', async () => {
      const page = await openEditor('team/david-pepper.md');
      // A landscape photo, the face (a red disk) on the right, a third of the way down.
      const jpeg = await page.evaluate(() => {
        const c = document.createElement('canvas');
        c.width = 1200;
        c.height = 600;
        const g = c.getContext('2d');
        g.fillStyle = '#6b7f99';
        g.fillRect(0, 0, 1200, 600);
        g.fillStyle = '#d22';
        g.beginPath();
        g.arc(960, 200, 120, 0, Math.PI * 2);
        g.fill();
        return c.toDataURL('image/jpeg', 0.9);
      });
      const photoFile = path.join(tmpdir(), `david-${process.pid}.jpg`);
      writeFileSync(photoFile, Buffer.from(jpeg.split(',')[1], 'base64'));
      await page.getByLabel('Choose a photo').setInputFiles(photoFile);
      await page.getByText(/^Chosen: \/images\/team\//).waitFor();
      const whole = page.locator('.focus-pick img');
      await whole.waitFor();
      // (Polled with evaluate: waitForFunction needs eval, which the editor's CSP refuses.)
      for (let i = 0; i < 100 && !(await whole.evaluate((img) => img.naturalWidth > 0)); i++) {
        await page.waitForTimeout(100);
      }
      assert.ok(await whole.evaluate((img) => img.naturalWidth > 0), 'the whole photo is shown');
      // Centred at first: the round picture shows the middle, without the face.
      const avatar = page.locator('#f-photo-img');
      assert.equal(await avatar.evaluate((i) => getComputedStyle(i).objectPosition), '50% 50%');
      // Clicked where the face is, relative to the picture (Playwright waits for it to be still).
      const box = await whole.boundingBox();
      await whole.click({ position: { x: box.width * 0.8, y: box.height / 3 } });
      const focus = page.getByLabel('Photo focal point');
      assert.match(await focus.inputValue(), /^0\.8\d?,0\.3\d?$/);
      // The square of 600 x 600 centred on x = 960 reaches the right edge: it starts at 600,
      // all the room there is to move (100 %), and shows 600-1200 across: the face (840-1080).
      assert.equal(await avatar.evaluate((i) => getComputedStyle(i).objectPosition), '100% 50%');
      assert.equal(await page.locator('#status').textContent().then((t) => /Unsaved changes/.test(t)), true);
      await shot(page, 'editor-photo-focus.png', '.focus-pick');
      const problems = await axeBoth(page, 'photo focal point');
      assert.deepEqual(problems, []);
      // Typed the wrong way: refused by the field, in its words, and nothing is written.
      const before = read('content/team/david-pepper.md');
      await focus.fill('top right');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Photo focal point must be two numbers from 0 to 1').first().waitFor();
      assert.equal(read('content/team/david-pepper.md'), before);
      await focus.fill('0.8,0.33');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#status').filter({ hasText: 'All changes saved at' }).waitFor();
      assert.ok(read('content/team/david-pepper.md').includes('photo_focus = "0.8,0.33"'));
      rmSync(photoFile, { force: true });
      await page.close();
    });
  });
}
