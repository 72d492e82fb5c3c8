#!/usr/bin/env node
// Makes the theme's two raster images from small inline HTML pages, rendered
// with headless Chromium (playwright-core) and saved as PNG:
//
//   themes/oakland/static/images/share.png      1200x630, the default social-sharing
//                                                 image (og:image / twitter:image)
//   themes/oakland/static/apple-touch-icon.png  180x180, the leaf mark on an opaque
//                                                 background (iOS home-screen icon)
//
//   node scripts/make-share-images.mjs          (run from the repository root)
//
// Everything comes from the repository: the site name and description from
// config.toml, the colours and font stacks from the light-scheme :root block of
// themes/oakland/static/css/site.css, the mark from themes/oakland/static/favicon.svg.
// System fonts only; the page may not load anything, so the output depends only on
// those files and on the fonts installed where the script runs. Text is kept
// inside the central 600px column, so a square centre crop still shows all of it.
// Needs /usr/bin/chromium (or CHROME_PATH). The PNGs live in the theme; re-run this
// after changing the palette, the mark or the description.

import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const theme = path.join(root, 'themes', 'oakland');
const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const chromeArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const FALLBACK_NAME = 'Oakland DBT & Mindfulness Center';
const FALLBACK_LINE = 'DBT skills classes, a Mindfulness Program and Ketamine-Assisted Psychotherapy in Oakland, CA';

// ---------- Inputs ----------

/** A top-level `key = "basic string"` from config.toml (before the first [table]). */
function tomlString(toml, key) {
  const top = toml.split(/^\s*\[/m)[0];
  const m = top.match(new RegExp(`^\\s*${key}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'm'));
  return m ? m[1].replace(/\\(["\\])/g, '$1') : null;
}

/** Custom properties of the first (light) :root block of site.css. */
function cssVars(css) {
  const block = css.match(/:root\s*\{([^}]*)\}/);
  if (!block) throw new Error('site.css: no :root block');
  const vars = {};
  for (const m of block[1].replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/--([\w-]+)\s*:\s*([^;]+);/g)) {
    vars[m[1]] = m[2].trim();
  }
  for (const k of ['bg', 'tint', 'text', 'muted', 'accent', 'avatar-bg', 'border', 'font-sans', 'font-serif']) {
    if (!vars[k]) throw new Error(`site.css: --${k} is not set in :root`);
  }
  return vars;
}

/** The share line: config's description without the centre's own name (it is the headline). */
function shareLine(description, name) {
  if (!description) return FALLBACK_LINE;
  let line = description.trim().replace(/\.$/, '');
  line = line.replace(new RegExp(`\\s+at (the )?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?= in |$)`), '');
  return line.length > 0 && line.length <= 120 ? line : FALLBACK_LINE;
}

/** Keeps names ("Mindfulness Program", "Ketamine-Assisted Psychotherapy", "in Oakland, CA")
 *  on one line when the text wraps: no-break spaces and no-break hyphens inside them. */
const keepNames = (s) =>
  s.replace(/(?:\b(?:in|at|of) )?[A-Z][\w-]*(?:,? [A-Z][\w-]*)*/g, (m) => m.replace(/ /g, '\u00a0').replace(/-/g, '\u2011'));

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function luminance(hex) {
  const h = hex.replace('#', '');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Width, height and colour type from a PNG's IHDR chunk. */
function pngInfo(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47 || buf.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colourType: buf[25] };
}

const config = await readFile(path.join(root, 'config.toml'), 'utf8');
const css = await readFile(path.join(theme, 'static', 'css', 'site.css'), 'utf8');
const favicon = (await readFile(path.join(theme, 'static', 'favicon.svg'), 'utf8')).trim();
const v = cssVars(css);
const name = tomlString(config, 'title') || FALLBACK_NAME;
const line = shareLine(tomlString(config, 'description'), name);

// The leaf strokes of the mark, reused large and faint as decoration.
const leafPath = favicon.match(/<path d="([^"]+)"/)?.[1];
if (!leafPath) throw new Error('favicon.svg: no <path d="..."> for the leaf');
const markSvg = (size) => favicon.replace('<svg ', `<svg width="${size}" height="${size}" aria-hidden="true" `);

for (const [fg, label] of [['text', 'name'], ['muted', 'line']]) {
  const ratio = contrast(v[fg], v.bg);
  if (ratio < 4.5) throw new Error(`--${fg} on --bg is ${ratio.toFixed(2)}:1, below WCAG AA`);
  console.log(`contrast ${label} (--${fg} on --bg): ${ratio.toFixed(1)}:1`);
}

// ---------- Pages ----------

const COLUMN = 600; // every glyph stays inside x = 300..900

const shareHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
  * { box-sizing: border-box; }
  html, body { margin: 0; width: 1200px; height: 630px; overflow: hidden; background: ${v.bg}; }
  body { position: relative; font-family: ${v['font-sans']}; color: ${v.text};
         -webkit-font-smoothing: antialiased; text-rendering: geometricPrecision; }
  .deco { position: absolute; top: 0; width: 300px; height: 630px; }
  .deco.left { left: 0; } .deco.right { right: 0; }
  main { position: absolute; left: ${(1200 - COLUMN) / 2}px; top: 0; width: ${COLUMN}px; height: 630px;
         display: flex; flex-direction: column; align-items: center; justify-content: center; text-align: center; }
  .mark { display: block; margin-bottom: 34px; }
  h1 { margin: 0; font-family: ${v['font-serif']}; font-weight: 600; line-height: 1.14;
       letter-spacing: -0.01em; color: ${v.text}; }
  h1 span { display: block; white-space: nowrap; }
  .rule { width: 72px; height: 3px; border-radius: 2px; background: ${v.accent}; margin: 30px 0 28px; }
  p { margin: 0; max-width: 560px; font-size: 26px; line-height: 1.45; color: ${v.muted}; text-wrap: balance; }
</style></head><body>
  <svg class="deco left" viewBox="0 0 300 630" aria-hidden="true">
    <circle cx="-10" cy="520" r="250" fill="${v.tint}"/>
    <g transform="translate(-40 250) scale(13)" fill="none" stroke="${v['avatar-bg']}" stroke-width=".9"
       stroke-linecap="round" stroke-linejoin="round"><path d="${leafPath}"/></g>
  </svg>
  <svg class="deco right" viewBox="0 0 300 630" aria-hidden="true">
    <circle cx="320" cy="90" r="230" fill="${v.tint}"/>
    <g transform="translate(340 -120) scale(-11 11)" fill="none" stroke="${v['avatar-bg']}" stroke-width=".9"
       stroke-linecap="round" stroke-linejoin="round"><path d="${leafPath}"/></g>
  </svg>
  <main>
    <span class="mark">${markSvg(92)}</span>
    <h1 id="name"></h1>
    <div class="rule"></div>
    <p id="line">${esc(keepNames(line))}</p>
  </main>
</body></html>`;

const iconHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
  html, body { margin: 0; width: 180px; height: 180px; overflow: hidden; background: ${v.tint}; }
  body { display: flex; align-items: center; justify-content: center; }
  svg { display: block; }
</style></head><body>${markSvg(132)}</body></html>`;

/** Splits the name into two balanced lines at a space ("Oakland DBT &" / "Mindfulness Center"). */
function nameLines(n) {
  const words = n.split(' ');
  if (words.length < 2) return [n];
  let best = null;
  for (let i = 1; i < words.length; i++) {
    const a = words.slice(0, i).join(' ');
    const b = words.slice(i).join(' ');
    const score = Math.max(a.length, b.length);
    if (!best || score < best.score) best = { score, lines: [a, b] };
  }
  return best.lines;
}

// ---------- Render ----------

const outputs = [
  { file: path.join(theme, 'static', 'images', 'share.png'), width: 1200, height: 630, html: shareHtml, fit: true },
  { file: path.join(theme, 'static', 'apple-touch-icon.png'), width: 180, height: 180, html: iconHtml },
];

const browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
try {
  for (const out of outputs) {
    const ctx = await browser.newContext({
      viewport: { width: out.width, height: out.height },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    await ctx.route('**/*', (route) => route.abort('blockedbyclient')); // no network at all
    const page = await ctx.newPage();
    await page.setContent(out.html, { waitUntil: 'load' });
    if (out.fit) {
      // Largest headline size (64px down to 44px) whose lines fit the column.
      const size = await page.evaluate(({ lines, column }) => {
        const h1 = document.getElementById('name');
        h1.replaceChildren(...lines.map((t) => Object.assign(document.createElement('span'), { textContent: t })));
        let px = 64;
        for (; px > 44; px -= 1) {
          h1.style.fontSize = `${px}px`;
          if ([...h1.children].every((s) => s.getBoundingClientRect().width <= column)) break;
        }
        h1.style.fontSize = `${px}px`;
        return px;
      }, { lines: nameLines(name), column: COLUMN });
      await page.evaluate(() => document.fonts?.ready);
      // Every text box must sit inside the central column and away from the top/bottom edges.
      const boxes = await page.evaluate(() => [...document.querySelectorAll('main h1 span, main p, main .mark')].flatMap((el) => {
        const r = document.createRange();
        r.selectNodeContents(el);
        return [...r.getClientRects()].map((b) => ({ l: b.left, r: b.right, t: b.top, b: b.bottom }));
      }));
      const bad = boxes.filter((b) => b.l < 300 || b.r > 900 || b.t < 60 || b.b > 570);
      if (bad.length) throw new Error(`share.png: text outside the safe area: ${JSON.stringify(bad)}`);
      const fonts = await page.evaluate(() => ({
        serif: getComputedStyle(document.querySelector('h1')).fontFamily.split(',')[0],
        sans: getComputedStyle(document.querySelector('p')).fontFamily.split(',')[0],
      }));
      console.log(`share.png: headline ${size}px; line: "${line}"; stacks start ${fonts.serif} / ${fonts.sans}`);
    }
    await mkdir(path.dirname(out.file), { recursive: true });
    const png = await page.screenshot({ type: 'png', omitBackground: false, clip: { x: 0, y: 0, width: out.width, height: out.height } });
    await writeFile(out.file, png);
    await ctx.close();

    const info = pngInfo(await readFile(out.file));
    if (info.width !== out.width || info.height !== out.height) {
      throw new Error(`${out.file}: ${info.width}x${info.height}, expected ${out.width}x${out.height}`);
    }
    const { size } = await stat(out.file);
    console.log(`${path.relative(root, out.file)}: ${info.width}x${info.height}, ${size} bytes`);
  }
} finally {
  await browser.close();
}
