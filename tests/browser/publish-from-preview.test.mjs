// Publishing from the preview, in a real browser, as a staff member does it: every tab in
// one browser context, on a copy of the real site that is a clone of a bare repository
// (file://) standing for the one online; git reads none of this machine's settings.
//   - the article is changed and saved in the editor; on another tab the preview's tools
//     say "Publish (1 change)", and the link leads to the publish page, which names the
//     article by its title and kind and shows the changed lines;
//   - "What changed" is typed with the keyboard and "Publish" pressed: the page says
//     "Published", and the repository online has one new commit with those words and
//     only the article in it;
//   - "History" in the editor lists the versions; one is shown, and "Restore this
//     version" fills the form without saving;
//   - a colleague's change to the same page stops it and says who and when; both versions
//     are shown side by side, then in the editor's own two versions, where "Keep mine"
//     and "Publish it" lead back to publishing, which then publishes;
//   - axe-core finds 0 WCAG 2.1 A/AA violations on the publish page, the history, one
//     version and the two versions, at 390 px and at 1280 px, and nothing sticks out sideways on the phone.
// GROVE_SCREENSHOTS=docs/images writes the screenshots of docs/editing.md.
//
// Environment: GROVE_BIN (default target/release/grove), CHROME_PATH (default /usr/bin/chromium).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { DESKTOP, PHONE, axeViolations, copySite, startServe, stopServe } from './serve.mjs';
import { chromeArgs, chromePath, fail, missingPrerequisite } from './site.mjs';

const DEADLINE_MS = 10_000;
const ARTICLE = 'content/articles/ketamine-assisted-psychotherapy.md';
const ARTICLE_URL = '/articles/ketamine-assisted-psychotherapy/';
const EDITOR_URL = '/__grove/edit?file=articles/ketamine-assisted-psychotherapy.md';
const screenshots = process.env.GROVE_SCREENSHOTS ? path.resolve(process.env.GROVE_SCREENSHOTS) : null;

const missing = missingPrerequisite({ browser: true });

if (missing) {
  test('publishing in Chromium', () => fail(missing));
} else {
  describe('grove serve: publishing from the browser', () => {
    let home;
    let root;
    let server;
    let browser;
    let context;
    const env = () => ({
      GIT_CONFIG_GLOBAL: path.join(home, 'gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: home,
    });
    const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: { ...process.env, ...env() }, encoding: 'utf8' });
    const remote = () => path.join(home, 'remote.git');

    /** axe and the page's width at both sizes; returns what is wrong. */
    async function checkSizes(page, name) {
      const problems = [];
      for (const [size, viewport] of [
        ['phone', PHONE],
        ['desktop', DESKTOP],
      ]) {
        await page.setViewportSize(viewport);
        for (const v of await axeViolations(page)) problems.push(`${size} ${name}: ${v}`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 0) problems.push(`${size} ${name}: ${wide} px wider than the screen`);
      }
      await page.setViewportSize(DESKTOP);
      return problems;
    }

    async function shot(page, name, viewport = DESKTOP) {
      if (!screenshots) return;
      await page.setViewportSize(viewport);
      await page.screenshot({ path: path.join(screenshots, name), fullPage: true });
      await page.setViewportSize(DESKTOP);
    }

    before(async () => {
      home = mkdtempSync(path.join(tmpdir(), 'grove-publish-home-'));
      writeFileSync(path.join(home, 'gitconfig'), '');
      root = copySite('grove-publish-');
      git(home, 'init', '-q', '--bare', '-b', 'main', 'remote.git');
      git(root, 'init', '-q', '-b', 'main');
      git(root, 'config', 'user.name', 'Pat Doe');
      git(root, 'config', 'user.email', 'pat.doe@example.org');
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'The site');
      git(root, 'remote', 'add', 'origin', 'file://' + remote());
      git(root, 'push', '-q', '-u', 'origin', 'main');
      server = await startServe(root, 0, env());
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
      context = await browser.newContext({ viewport: DESKTOP });
      context.setDefaultTimeout(DEADLINE_MS);
    });

    after(async () => {
      await browser?.close().catch(() => {});
      await stopServe(server).catch(() => {});
      for (const dir of [root, home]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('save a change, follow "Publish (1 change)", write what changed, Publish', async () => {
      const editor = await context.newPage();
      await editor.goto(server.origin + ARTICLE_URL);
      assert.ok(await editor.getByRole('link', { name: 'Publish (no changes)' }).isVisible());
      await editor.getByRole('link', { name: 'Edit this page' }).click();
      const text = editor.getByLabel('Text', { exact: true });
      await text.waitFor();
      const body = await text.inputValue();
      await text.fill(body.replace('For many people, traditional talk therapy', 'For many of the people we meet, talk therapy'));
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor.getByRole('status').filter({ hasText: 'Saved at' }).first().waitFor();

      const reader = await context.newPage();
      await reader.goto(server.origin + '/');
      await reader.getByRole('link', { name: 'Publish (1 change)' }).click();
      await reader.waitForURL(/\/__grove\/publish$/);
      assert.ok(reader.url().startsWith(server.editorOrigin + '/'), 'on the editor\'s own origin, as the editor');
      const item = reader.locator('.changes > li').first();
      assert.equal(
        (await item.locator('p').first().textContent()).trim(),
        'Changed: Ketamine-Assisted Psychotherapy, article',
      );
      await item.getByText('Show the change').click();
      await item.locator('ins', { hasText: 'For many of the people we meet' }).waitFor();
      assert.match(await reader.locator('.standing summary').textContent(), /^\d+ things the site still lacks: see the checklist$/);
      const problems = await checkSizes(reader, 'publish page');
      await shot(reader, 'publish.png');
      await shot(reader, 'publish-phone.png', PHONE);

      // "What changed" is required: the button says so by the field.
      await reader.getByRole('button', { name: 'Publish' }).click();
      await reader.locator('#message-error').waitFor({ state: 'visible' });
      assert.equal(await reader.getByLabel(/^What changed/).getAttribute('aria-invalid'), 'true');
      await reader.getByLabel(/^What changed/).click();
      await reader.keyboard.type('Warmer first sentence in the KAP article');
      await reader.keyboard.press('Enter');
      await reader.getByRole('heading', { name: 'Published', exact: true }).waitFor({ timeout: 30_000 });
      assert.match(await reader.locator('#outcome').textContent(), /The site updates in a few minutes/);
      await shot(reader, 'publish-done.png');
      assert.equal(git(remote(), 'log', '-1', '--format=%an: %s', 'main').trim(), 'Pat Doe: Warmer first sentence in the KAP article');
      assert.equal(git(remote(), 'show', '--name-only', '--format=', 'main').trim(), ARTICLE);
      assert.deepEqual(problems, []);
      await editor.close();
      await reader.close();
    });

    test('History lists the versions, shows one, and Restore fills the form unsaved', async () => {
      const editor = await context.newPage();
      await editor.goto(server.origin + EDITOR_URL);
      await editor.getByRole('link', { name: 'History' }).click();
      await editor.waitForURL(/\/__grove\/history\?file=/);
      const versions = editor.locator('ol.versions > li');
      assert.equal(await versions.count(), 2);
      assert.match(await versions.nth(0).textContent(), /by Pat Doe“Warmer first sentence in the KAP article”/);
      const problems = await checkSizes(editor, 'history');
      await shot(editor, 'history.png');
      await versions.nth(1).getByRole('link', { name: 'Show this version' }).click();
      await editor.frameLocator('iframe.version').getByText('For many people, traditional talk therapy').first().waitFor();
      problems.push(...(await checkSizes(editor, 'one version')));
      await editor.getByRole('link', { name: 'Restore this version' }).click();
      await editor.waitForURL(/from=/);
      const text = editor.getByLabel('Text', { exact: true });
      assert.ok((await text.inputValue()).includes('For many people, traditional talk therapy'));
      assert.match(await editor.locator('.restored').textContent(), /It is not saved/);
      assert.equal(await editor.locator('#status').textContent(), 'Unsaved changes');
      assert.ok(readFileSync(path.join(root, ARTICLE), 'utf8').includes('For many of the people we meet'), 'nothing saved yet');
      assert.deepEqual(problems, []);
      await editor.close();
    });

    test('a colleague changed the same page: both versions, then "Keep mine" in the editor', async () => {
      const theirs = path.join(home, 'theirs');
      git(home, 'clone', '-q', 'file://' + remote(), theirs);
      git(theirs, 'config', 'user.name', 'Alyson Barry');
      git(theirs, 'config', 'user.email', 'alyson@example.org');
      const file = path.join(theirs, ARTICLE);
      writeFileSync(file, readFileSync(file, 'utf8').replace('In this comprehensive guide', 'In this short guide'));
      git(theirs, 'commit', '-q', '-a', '-m', 'Shorter guide');
      git(theirs, 'push', '-q');

      const editor = await context.newPage();
      await editor.goto(server.origin + EDITOR_URL);
      const text = editor.getByLabel('Text', { exact: true });
      await text.fill((await text.inputValue()).replace('In this comprehensive guide', 'In this complete guide'));
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor.getByRole('status').filter({ hasText: 'Saved at' }).first().waitFor();

      const page = await context.newPage();
      await page.goto(server.origin + '/__grove/publish');
      await page.getByLabel(/^What changed/).click();
      await page.keyboard.type('A complete guide');
      await page.getByRole('button', { name: 'Publish' }).click();
      const outcome = page.locator('#outcome');
      await outcome.getByRole('heading', { name: 'Nothing was published' }).waitFor({ timeout: 30_000 });
      assert.match(await outcome.textContent(), /Alyson Barry changed “Ketamine-Assisted Psychotherapy” online today at .* \(“Shorter guide”\)/);
      await shot(page, 'publish-conflict.png');
      await outcome.getByRole('link', { name: /See both versions/ }).click();
      await page.waitForURL(/\/__grove\/publish\/compare/);
      await page.locator('del', { hasText: 'In this short guide' }).waitFor();
      await page.locator('ins', { hasText: 'In this complete guide' }).waitFor();
      const problems = await checkSizes(page, 'two versions');
      await shot(page, 'publish-both.png');
      // In the editor: the two versions side by side, and "Keep mine".
      await page.getByRole('link', { name: 'Choose in the editor' }).click();
      await page.waitForURL(/online=/);
      const conflict = page.locator('#conflict');
      await conflict.waitFor();
      assert.match(await conflict.textContent(), /Alyson Barry changed this page online today at/);
      assert.match(await page.locator('#conflict-theirs').textContent(), /In this short guide/);
      assert.match(await page.locator('#conflict-mine').textContent(), /In this complete guide/);
      await shot(page, 'publish-choose.png');
      await page.getByRole('button', { name: 'Keep mine' }).click();
      await page.getByRole('link', { name: 'Publish it' }).click();
      await page.waitForURL(/\/__grove\/publish$/);
      await page.getByText("Your version, over a colleague's.").waitFor();
      await page.getByLabel(/^What changed/).click();
      await page.keyboard.type('A complete guide');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Published', exact: true }).waitFor({ timeout: 30_000 });
      const online = git(remote(), 'show', 'main:' + ARTICLE);
      assert.ok(online.includes('In this complete guide'), 'mine is online');
      assert.match(git(remote(), 'log', '--format=%an: %s', 'main'), /Alyson Barry: Shorter guide/);
      assert.deepEqual(problems, []);
      await editor.close();
      await page.close();
    });
  });
}
