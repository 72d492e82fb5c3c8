#!/usr/bin/env node
// Builds the site, serves it on 127.0.0.1 and saves full-page PNG screenshots
// of the key pages (home, the article, FAQ, team, the first bio) at mobile
// 390x844 and desktop 1280x800, in light and dark colour scheme.
//
//   node scripts/screenshots.mjs [OUTPUT_DIR]      (default: target/screenshots/)
//
// Files are named <page>-<mobile|desktop>-<light|dark>.png. Not committed
// (target/ is git-ignored). Needs target/release/grove (or GROVE_BIN) and
// /usr/bin/chromium (or CHROME_PATH).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { buildAndServe, chromeArgs, chromePath, keyPages, missingPrerequisite, repoRoot } from '../tests/browser/site.mjs';

const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot, 'target', 'screenshots'));
const VIEWPORTS = [
  { name: 'mobile', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  { name: 'desktop', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
];
const SCHEMES = ['light', 'dark'];

const missing = missingPrerequisite({ browser: true });
if (missing) {
  console.error(`screenshots: ${missing}`);
  process.exit(1);
}

await mkdir(outDir, { recursive: true });
const site = await buildAndServe();
const browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
const written = [];
let problems = 0;
try {
  const pages = keyPages(site.outDir);
  for (const p of pages.filter((p) => !p.exists)) {
    console.warn(`screenshots: ${p.path} (${p.name}) was not generated, skipped`);
    problems++;
  }
  if (!pages.some((p) => p.name === 'bio')) {
    console.warn('screenshots: no bio page under /team/*/, skipped');
    problems++;
  }
  for (const vp of VIEWPORTS) {
    for (const scheme of SCHEMES) {
      const ctx = await browser.newContext({ ...vp.options, colorScheme: scheme, reducedMotion: 'reduce' });
      // Never let the page reach the network: only the local server is allowed.
      await ctx.route('**/*', (route) =>
        new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient'),
      );
      const page = await ctx.newPage();
      for (const p of pages.filter((p) => p.exists)) {
        const res = await page.goto(site.origin + p.path, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts?.ready);
        const file = path.join(outDir, `${p.name}-${vp.name}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
        if (res?.status() !== 200) {
          console.warn(`screenshots: ${p.path} answered HTTP ${res?.status()}`);
          problems++;
        }
      }
      await ctx.close();
    }
  }
} finally {
  await browser.close();
  await site.close();
}
for (const f of written) console.log(path.relative(process.cwd(), f));
console.log(`screenshots: ${written.length} PNG file(s) in ${outDir}${problems ? `, ${problems} warning(s)` : ''}`);
