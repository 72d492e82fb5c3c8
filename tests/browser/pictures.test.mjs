// Phone photos as staff add them: eleven team photos made in the browser at a phone's size
// (4032 x 3024, stored sideways with orientation "rotate 90", with a GPS position and a
// camera model written by exiftool), one per team member of a copy of the real site. The
// site is built and the team page opened at 390 px (DPR 2) the way a phone opens it: the
// pictures it downloads are counted, byte by byte, and no published file keeps a position.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { copySite } from './serve.mjs';
import { chromeArgs, chromePath, fail, groveBin, missingPrerequisite, startServer, walkFiles } from './site.mjs';

const run = promisify(execFile);
const GOAL_BYTES = 400 * 1024;
// Kept after the run, to look at: the team page as the phone showed it.
const SCREENSHOT = path.join(tmpdir(), 'grove-pictures-team-390.png');

/** In the page: a JPEG of `w` x `h` with a little of everything a photo has (gradients, edges, noise). */
async function photoInBrowser(page, w, h, seed) {
  const dataUrl = await page.evaluate(
    ([w, h, seed]) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const g = c.getContext('2d');
      const sky = g.createLinearGradient(0, 0, 0, h);
      sky.addColorStop(0, `hsl(${(seed * 37) % 360} 60% 70%)`);
      sky.addColorStop(1, `hsl(${(seed * 37 + 120) % 360} 40% 30%)`);
      g.fillStyle = sky;
      g.fillRect(0, 0, w, h);
      let s = seed * 7919 + 1;
      const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
      for (let i = 0; i < 400; i++) {
        g.fillStyle = `hsl(${rnd() * 360} ${30 + rnd() * 50}% ${20 + rnd() * 60}%)`;
        g.beginPath();
        g.arc(rnd() * w, rnd() * h, 20 + rnd() * 300, 0, Math.PI * 2);
        g.fill();
      }
      // Sensor noise: what makes a phone photo heavy.
      const img = g.getImageData(0, 0, w, h);
      for (let i = 0; i < img.data.length; i += 4) {
        const n = (rnd() - 0.5) * 24;
        img.data[i] += n;
        img.data[i + 1] += n;
        img.data[i + 2] += n;
      }
      g.putImageData(img, 0, 0);
      return c.toDataURL('image/jpeg', 0.92);
    },
    [w, h, seed],
  );
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

const missing = missingPrerequisite({ browser: true });
let browser;
let server;
let site;

if (missing) {
  test('team photos at 390 px', () => fail(missing));
} else {
  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
    site = copySite('grove-pictures-');
    const context = await browser.newContext();
    const maker = await context.newPage();
    const team = path.join(site, 'content', 'team');
    const photos = path.join(site, 'static', 'images', 'team');
    mkdirSync(photos, { recursive: true });
    const people = readdirSync(team).filter((f) => f.endsWith('.md') && f !== '_index.md');
    for (const [i, file] of people.entries()) {
      const name = file.replace(/\.md$/, '');
      const photo = path.join(photos, `${name}.jpg`);
      writeFileSync(photo, await photoInBrowser(maker, 4032, 3024, i + 1));
      await run('exiftool', [
        '-q', '-overwrite_original', '-Orientation#=6', '-Make=Google', '-Model=Pixel 7',
        '-GPSLatitude=37.8044', '-GPSLatitudeRef=N', '-GPSLongitude=122.2712', '-GPSLongitudeRef=W', photo,
      ]);
      const md = path.join(team, file);
      const text = readFileSync(md, 'utf8');
      // The front matter's second +++ line: the photo goes just above it.
      const end = text.indexOf('\n+++', 3);
      writeFileSync(md, `${text.slice(0, end)}\nphoto = "/images/team/${name}.jpg"${text.slice(end)}`);
    }
    await context.close();
    await run(groveBin(), ['build', '--root', site]);
    server = await startServer(path.join(site, 'public'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  test('the team page with eleven phone photos downloads under 400 KB of pictures at 390 px', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const received = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'image') {
        received.push(r.body().then((b) => ({ url: r.url(), type: r.headers()['content-type'], bytes: b.length })));
      }
    });
    await page.goto(`${server.origin}/team/`, { waitUntil: 'networkidle' });
    // Lazy pictures load as the person scrolls: scroll to the end, as a reader would.
    for (let y = 0; y < 20; y++) {
      await page.mouse.wheel(0, 800);
      await page.waitForTimeout(50);
    }
    await page.waitForLoadState('networkidle');
    await page.locator('img.avatar').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT });
    const avatars = await page.$$eval('img.avatar', (imgs) =>
      imgs.map((i) => {
        const card = i.closest('.card');
        const inset = i.getBoundingClientRect().left - card.getBoundingClientRect().left;
        const padding = parseFloat(getComputedStyle(card).paddingLeft) + parseFloat(getComputedStyle(card).borderLeftWidth);
        return { src: i.currentSrc, w: i.naturalWidth, h: i.naturalHeight, shown: i.width, inset, padding };
      }),
    );
    const pictures = await Promise.all(received);
    await context.close();

    assert.equal(avatars.length, 11, 'one picture per team member');
    for (const a of avatars) {
      assert.ok(a.src.endsWith('.webp'), `${a.src} should be the WebP size`);
      assert.equal(a.w, a.h, `${a.src} should be square`);
      // The <picture> around it takes no room of its own (its <source> took a gap once).
      assert.ok(Math.abs(a.inset - a.padding) < 1, `${a.src} sits ${a.inset - a.padding} px right of the card's padding`);
      // naturalWidth is in CSS pixels (the file's width over its density): at least what is shown.
      assert.ok(a.w >= a.shown, `${a.src}: ${a.w} px for ${a.shown} px shown`);
    }
    // Every raster picture the page made the phone download (the theme's icons are SVG).
    const photos = pictures.filter((p) => !p.type?.startsWith('image/svg'));
    const total = photos.reduce((n, p) => n + p.bytes, 0);
    assert.ok(photos.length >= 11, `pictures received: ${JSON.stringify(photos)}`);
    console.log(`team page at 390 px DPR 2: ${photos.length} pictures, ${(total / 1024).toFixed(1)} KB`);
    assert.ok(total < GOAL_BYTES, `${(total / 1024).toFixed(0)} KB of pictures, goal under 400 KB`);
    assert.ok(!photos.some((p) => p.url.endsWith('.jpg') && p.bytes > 1_000_000), 'an original was sent');
  });

  test('no published file keeps the GPS position or the camera', async () => {
    const pub = path.join(site, 'public');
    const { stdout } = await run('exiftool', ['-r', '-q', '-s', '-GPSLatitude', '-Model', pub]);
    assert.equal(stdout.trim(), '', stdout);
    const originals = walkFiles(pub, '.jpg').filter((f) => f.startsWith('images/team/'));
    assert.deepEqual(originals, [], 'the originals are not published');
    assert.ok(existsSync(path.join(pub, 'team', 'index.html')));
  });
}
