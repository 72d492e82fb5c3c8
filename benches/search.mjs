// Search benchmark (not a test): the size of search-index.json and the time a query takes
// in Chromium, for the real site and for a generated 10,000-article site.
//
//   cargo build --release
//   node benches/search.mjs                 # real site + 10,000-page corpus
//   node benches/search.mjs --pages 1000    # another size
//
// The corpus comes from ../shared/bench/gen_corpus.py (Hugo format: its front matter is
// grove's article fields), with the center's other pages copied in so the theme's links
// resolve. Each query is timed from submitting the form to the results being in the page
// (the index is already loaded: the first query, which downloads it, is reported apart).

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { chromeArgs, chromePath, groveBin, repoRoot, startServer } from '../tests/browser/site.mjs';

const pagesArg = process.argv.indexOf('--pages');
const corpusPages = pagesArg > 0 ? Number(process.argv[pagesArg + 1]) : 10000;
const QUERIES = ['trauma', 'anxiety', 'mindfulness', 'sleep', 'therapy notes', 'grief', 'boundaries', 'panic attacks',
  'integration', 'journaling', 'self compassion', 'young adults', 'relapse', 'breathing', 'values', 'couples',
  'procrastination', 'dbt skills', 'exposure', 'zzzz-nothing'];

function corpusSite(pages) {
  const dir = mkdtempSync(path.join(tmpdir(), 'grove-search-bench-'));
  const gen = path.resolve(repoRoot, '..', 'shared', 'bench', 'gen_corpus.py');
  execFileSync('python3', [gen, '--pages', String(pages), '--out', dir, '--format', 'hugo'], { stdio: 'ignore' });
  writeFileSync(path.join(dir, 'content/articles/_index.md'), '+++\ntitle = "Articles"\nsort_by = "date"\npaginate_by = 10\n+++\n');
  for (const f of ['about.md', 'contact.md', 'services.md', 'search.md', 'faq', 'team', 'articles/ketamine-assisted-psychotherapy.md']) {
    cpSync(path.join(repoRoot, 'content', f), path.join(dir, 'content', f), { recursive: true });
  }
  cpSync(path.join(repoRoot, 'themes'), path.join(dir, 'themes'), { recursive: true });
  cpSync(path.join(repoRoot, 'config.toml'), path.join(dir, 'config.toml'));
  return dir;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function p95(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

async function measure(label, root, browser) {
  const server = await startServer();
  const out = mkdtempSync(path.join(tmpdir(), 'grove-search-out-'));
  execFileSync(groveBin(), ['build', '--root', root, '--output', path.join(out, 'public'), '--base-url', server.origin], { stdio: 'ignore' });
  server.root = path.join(out, 'public');
  const index = readFileSync(path.join(out, 'public', 'search-index.json'));
  const entries = JSON.parse(index).length;
  const page = await browser.newPage();
  await page.goto(`${server.origin}/search/`);
  const timeQuery = (q) =>
    page.evaluate(async (query) => {
      const form = document.querySelector('.search-form');
      const input = form.querySelector('input[name=q]');
      const status = document.getElementById('search_status');
      status.textContent = '';
      input.value = query;
      const t0 = performance.now();
      form.requestSubmit();
      while (!status.textContent) await new Promise((r) => setTimeout(r, 0));
      return performance.now() - t0;
    }, q);
  const first = await timeQuery(QUERIES[0]);
  const times = [];
  for (const q of QUERIES) times.push(await timeQuery(q));
  await page.close();
  await server.close();
  rmSync(out, { recursive: true, force: true });
  return { label, entries, bytes: index.length, gzip: gzipSync(index).length, first, median: median(times), p95: p95(times) };
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
const rows = [await measure('the center’s site', repoRoot, browser)];
const corpus = corpusSite(corpusPages);
try {
  rows.push(await measure(`${corpusPages.toLocaleString('en-US')}-article corpus`, corpus, browser));
} finally {
  rmSync(corpus, { recursive: true, force: true });
  await browser.close();
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('| site | entries | index | gzipped | first query (loads the index) | query median | query p95 |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.label} | ${r.entries} | ${kb(r.bytes)} | ${kb(r.gzip)} | ${r.first.toFixed(1)} ms | ${r.median.toFixed(1)} ms | ${r.p95.toFixed(1)} ms |`);
}
