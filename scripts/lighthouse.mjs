#!/usr/bin/env node
// Lighthouse report: builds the site, serves it on 127.0.0.1 and runs
// Lighthouse 12.2.3 (node_modules/.bin/lighthouse) with Debian's Chromium on
// home, the article, FAQ, team and the first bio, once as mobile (the default)
// and once with --preset=desktop. Writes a Markdown table of the four category
// scores to docs/quality.md (or the file given as argument).
//
//   node scripts/lighthouse.mjs [OUTPUT.md]          (npm run lighthouse)
//
// Not a CI gate: Lighthouse scores, performance above all, are noisy on a
// shared 2-core machine. Nothing leaves the machine: only the local URL is
// given to Lighthouse, Chromium resolves no host but 127.0.0.1
// (--host-resolver-rules), and Lighthouse's error reporting (Sentry) is off
// (--no-enable-error-reporting; it also stops the consent prompt).
// Set LIGHTHOUSE_KEEP=DIR to keep the JSON reports in DIR.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  buildAndServe,
  chromeArgs,
  chromePath,
  chromiumVersion,
  keyPages,
  missingPrerequisite,
  repoRoot,
} from '../tests/browser/site.mjs';

const outFile = path.resolve(process.argv[2] ?? path.join(repoRoot, 'docs', 'quality.md'));
const lighthouseBin = path.join(repoRoot, 'node_modules', '.bin', 'lighthouse');
const keepDir = process.env.LIGHTHOUSE_KEEP ? path.resolve(process.env.LIGHTHOUSE_KEEP) : null;
const CATEGORIES = [
  ['performance', 'Performance'],
  ['accessibility', 'Accessibility'],
  ['best-practices', 'Best practices'],
  ['seo', 'SEO'],
];
const FORM_FACTORS = [
  { name: 'mobile', args: [] },
  { name: 'desktop', args: ['--preset=desktop'] },
];
const RUN_TIMEOUT_MS = 240_000;

function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? err.signal ?? 1) : 0, stdout, stderr }),
    );
  });
}

const missing = missingPrerequisite({ browser: true });
if (missing) {
  console.error(`lighthouse: ${missing}`);
  process.exit(1);
}

const lighthouseVersion = JSON.parse(
  await readFile(path.join(repoRoot, 'node_modules', 'lighthouse', 'package.json'), 'utf8'),
).version;
const chromium = await chromiumVersion();
const site = await buildAndServe();
const work = await mkdtemp(path.join(os.tmpdir(), 'grove-lighthouse-'));
if (keepDir) await mkdir(keepDir, { recursive: true });
const results = [];
const started = Date.now();
try {
  const pages = keyPages(site.outDir);
  for (const page of pages) {
    for (const ff of FORM_FACTORS) {
      const row = { page, formFactor: ff.name, scores: {}, error: null, failing: [], external: [] };
      results.push(row);
      if (!page.exists) {
        row.error = 'page not generated';
        continue;
      }
      const userDataDir = await mkdtemp(path.join(work, 'profile-'));
      const reportPath = path.join(work, `${page.name}-${ff.name}.json`);
      const flags = [
        ...chromeArgs,
        `--user-data-dir=${userDataDir}`,
        // Every host name but 127.0.0.1 fails to resolve: Chromium cannot reach the network.
        '--host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"',
      ];
      const args = [
        site.origin + page.path,
        ...ff.args,
        '--output=json',
        `--output-path=${reportPath}`,
        `--chrome-flags=${flags.join(' ')}`,
        '--no-enable-error-reporting',
        '--quiet',
      ];
      const t0 = Date.now();
      process.stderr.write(`lighthouse: ${page.path} (${ff.name}) … `);
      const res = await run(lighthouseBin, args, {
        cwd: repoRoot,
        timeout: RUN_TIMEOUT_MS,
        env: { ...process.env, CHROME_PATH: chromePath, CI: process.env.CI ?? 'true' },
      });
      process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      await rm(userDataDir, { recursive: true, force: true });
      let lhr;
      try {
        lhr = JSON.parse(await readFile(reportPath, 'utf8'));
      } catch {
        row.error = `lighthouse exited ${res.code}: ${(res.stderr || res.stdout).trim().split('\n').slice(-3).join(' ')}`;
        continue;
      }
      if (keepDir) await writeFile(path.join(keepDir, `${page.name}-${ff.name}.json`), JSON.stringify(lhr));
      if (lhr.runtimeError) row.error = `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
      for (const [id] of CATEGORIES) row.scores[id] = lhr.categories[id]?.score ?? null;
      for (const [id, label] of CATEGORIES.slice(1)) {
        for (const ref of lhr.categories[id]?.auditRefs ?? []) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
            row.failing.push(`${label}: ${audit.title}`);
          }
        }
      }
      for (const item of lhr.audits['network-requests']?.details?.items ?? []) {
        try {
          const u = new URL(item.url);
          if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '127.0.0.1') row.external.push(item.url);
        } catch {}
      }
      row.warnings = lhr.runWarnings ?? [];
    }
  }
} finally {
  await site.close();
  await rm(work, { recursive: true, force: true });
}

const fmt = (s) => (s === null || s === undefined ? '–' : String(Math.round(s * 100)));
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const lines = [
  '# Lighthouse scores',
  '',
  'Generated by `scripts/lighthouse.mjs`; do not edit by hand. Scores are out of 100.',
  'They are **not** a CI gate: performance in particular varies from run to run',
  'on a shared 2-core machine (Lighthouse simulates a slow 4G phone for "mobile").',
  '',
  `- Date: ${date}`,
  '- Reproduce: `cargo build --release && npm ci --ignore-scripts && node scripts/lighthouse.mjs`',
  `- Lighthouse ${lighthouseVersion}, ${chromium}, Node ${process.version}, ${os.cpus().length} CPU(s)`,
  `- Site built with \`target/release/grove build --base-url ${site.origin}\` and served from 127.0.0.1`,
  `- Total time: ${Math.round((Date.now() - started) / 1000)} s`,
  '',
  `| Page | Form factor | ${CATEGORIES.map(([, l]) => l).join(' | ')} |`,
  `| --- | --- | ${CATEGORIES.map(() => '---:').join(' | ')} |`,
];
for (const r of results) {
  const cells = r.error && !Object.keys(r.scores).length ? CATEGORIES.map(() => '–') : CATEGORIES.map(([id]) => fmt(r.scores[id]));
  lines.push(`| ${r.page.name} (\`${r.page.path}\`) | ${r.formFactor} | ${cells.join(' | ')} |`);
}
const notes = [];
for (const r of results) {
  const where = `${r.page.path} (${r.formFactor})`;
  if (r.error) notes.push(`- ${where}: **error**: ${r.error}`);
  for (const u of r.external) notes.push(`- ${where}: request to another host: ${u}`);
  for (const w of r.warnings ?? []) notes.push(`- ${where}: warning: ${w.replace(/\s+/g, ' ')}`);
}
const failing = new Map();
for (const r of results) {
  for (const f of r.failing) {
    if (!failing.has(f)) failing.set(f, new Set());
    failing.get(f).add(`${r.page.name}/${r.formFactor}`);
  }
}
if (failing.size) {
  lines.push('', '## Audits below 100 (accessibility, best practices, SEO)', '');
  for (const [f, where] of [...failing].sort()) lines.push(`- ${f} — ${[...where].join(', ')}`);
}
if (notes.length) lines.push('', '## Errors and warnings', '', ...notes);
lines.push('');
await mkdir(path.dirname(outFile), { recursive: true });
await writeFile(outFile, lines.join('\n'));
console.log(lines.join('\n'));
console.log(`lighthouse: wrote ${path.relative(process.cwd(), outFile)}`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
