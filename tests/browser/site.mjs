// Shared helper for the browser / validator checks and the report scripts.
//
// It builds the site with the grove binary into a fresh temporary folder and
// serves that folder over HTTP on 127.0.0.1 with a tiny static file server.
// Not a test file itself (the name does not end in .test.mjs), so
// `node --test tests/browser/` does not run it.
//
// Environment:
//   GROVE_BIN       path of the grove binary (default: target/release/grove)
//   GROVE_SITE_DIR  skip the build and serve this already built folder
//                   instead (handy to check a hand-written HTML folder)
//   CHROME_PATH     browser binary (default: /usr/bin/chromium)

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Flags for every headless Chromium we start: no sandbox (root), no network chatter. */
export const chromeArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const vnuJar = path.join(repoRoot, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

export function groveBin() {
  return process.env.GROVE_BIN ? path.resolve(process.env.GROVE_BIN) : path.join(repoRoot, 'target', 'release', 'grove');
}

/**
 * Returns null when everything the browser checks need is present, otherwise a
 * message that says what is missing and how to get it. Tests call this first so
 * they fail with that message instead of a stack trace.
 */
export function missingPrerequisite({ browser = false, java = false } = {}) {
  if (!process.env.GROVE_SITE_DIR) {
    const bin = groveBin();
    try {
      accessSync(bin, constants.X_OK);
    } catch {
      return `grove binary not found at ${bin}: run \`cargo build --release\` first (or set GROVE_BIN)`;
    }
  }
  if (browser && !existsSync(chromePath)) {
    return `Chromium not found at ${chromePath}: apt-get install -y chromium (or set CHROME_PATH)`;
  }
  if (browser && !existsSync(path.join(repoRoot, 'node_modules', 'playwright-core'))) {
    return 'node_modules missing: run `npm ci --ignore-scripts` first';
  }
  if (java && !existsSync(vnuJar)) {
    return `${vnuJar} missing: run \`npm ci --ignore-scripts\` first`;
  }
  return null;
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.xsl': 'application/xslt+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.map': 'application/json; charset=utf-8',
};

export function contentType(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

async function statOrNull(p) {
  try {
    return await stat(p);
  } catch {
    return null;
  }
}

/**
 * The headers the site's `_headers` file sets for every path (`/*`), as Netlify and
 * Cloudflare Pages would send them: serving them here means the browser suites enforce
 * the Content-Security-Policy, and any inline script or style it blocks fails a test.
 */
async function siteWideHeaders(base) {
  let text;
  try {
    text = await readFile(path.join(base, '_headers'), 'utf8');
  } catch {
    return {};
  }
  const headers = {};
  let inAll = false;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      inAll = line.trim() === '/*';
      continue;
    }
    const colon = line.indexOf(':');
    if (inAll && colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Starts a static file server for `root` on 127.0.0.1 and an OS-chosen port.
 * `root` may be set later through the returned object (`server.root = dir`),
 * so the port can be known before the site is built. With `prefix` (`/site`), the
 * folder is served under that path only, as GitHub Pages serves a project site.
 *   /x/  -> x/index.html
 *   /x   -> 301 to /x/ when x is a folder
 *   missing -> 404.html with status 404 (plain text when there is no 404.html)
 */
export async function startServer(root = null, { prefix = '' } = {}) {
  const state = { root };
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const url = new URL(req.url, 'http://127.0.0.1');
      if (prefix) {
        if (url.pathname === prefix) {
          res.writeHead(301, { Location: prefix + '/' }).end();
          return;
        }
        if (!url.pathname.startsWith(prefix + '/')) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('outside the site\n');
          return;
        }
        url.pathname = url.pathname.slice(prefix.length);
      }
      let rel;
      try {
        rel = decodeURIComponent(url.pathname);
      } catch {
        res.writeHead(400).end('bad request');
        return;
      }
      const base = path.resolve(state.root);
      let file = path.resolve(base, '.' + path.posix.normalize(rel));
      if (file !== base && !file.startsWith(base + path.sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let st = await statOrNull(file);
      if (st && st.isDirectory()) {
        if (!url.pathname.endsWith('/')) {
          res.writeHead(301, { Location: prefix + url.pathname + '/' + url.search }).end();
          return;
        }
        file = path.join(file, 'index.html');
        st = await statOrNull(file);
      }
      let status = 200;
      if (!st || !st.isFile()) {
        status = 404;
        file = path.join(base, '404.html');
        st = await statOrNull(file);
        if (!st || !st.isFile()) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 not found\n');
          return;
        }
      }
      const body = await readFile(file);
      res.writeHead(status, {
        ...(await siteWideHeaders(base)),
        'Content-Type': contentType(file),
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(String(err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get root() {
      return state.root;
    },
    set root(dir) {
      state.root = dir;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stdout}${stderr}`;
        reject(err);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/**
 * Builds the site and serves it. Returns
 *   { origin, port, outDir, tmpDir, buildLog, close() }
 * `origin` is the base URL the site was built with (http://127.0.0.1:PORT).
 * `baseUrl`: what to build with instead (`null`: config.toml's own); `prefix`: serve
 * the site under that path.
 */
export async function buildAndServe({ drafts = false, baseUrl, prefix = '' } = {}) {
  const missing = missingPrerequisite();
  if (missing) throw new Error(missing);
  const server = await startServer(null, { prefix });
  const tmpDir = await mkdtemp(path.join(tmpdir(), 'grove-site-'));
  let outDir;
  let buildLog = '';
  try {
    if (process.env.GROVE_SITE_DIR) {
      outDir = path.resolve(process.env.GROVE_SITE_DIR);
    } else {
      outDir = path.join(tmpDir, 'public');
      const base = baseUrl === undefined ? server.origin : baseUrl;
      const args = ['build', '--output', outDir];
      if (base !== null) args.push('--base-url', base);
      if (drafts) args.push('--drafts');
      const { stdout, stderr } = await run(groveBin(), args, { cwd: repoRoot });
      buildLog = stdout + stderr;
    }
    if (!existsSync(path.join(outDir, 'index.html'))) {
      throw new Error(
        `the build wrote no index.html into ${outDir}` + (buildLog.trim() ? `; grove printed:\n${buildLog.trim()}` : ''),
      );
    }
  } catch (err) {
    await server.close();
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }
  server.root = outDir;
  return {
    origin: server.origin,
    port: server.port,
    outDir,
    tmpDir,
    buildLog,
    close: async () => {
      await server.close();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir` whose name ends with `ext`, as paths relative to `dir` (posix separators), sorted. */
export function walkFiles(dir, ext = '.html') {
  const out = [];
  const walk = (sub) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && entry.name.endsWith(ext)) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** True for the small pages grove writes for aliases (<meta http-equiv="refresh">). */
export function isAliasRedirect(html) {
  return /http-equiv\s*=\s*["']?refresh/i.test(html);
}

/** `a/b/index.html` -> `/a/b/`, `index.html` -> `/`, `404.html` -> `/404.html`. */
export function fileToUrlPath(rel) {
  if (rel === 'index.html') return '/';
  if (rel.endsWith('/index.html')) return '/' + rel.slice(0, -'index.html'.length);
  return '/' + rel;
}

/** The URL paths of every generated HTML page, alias redirect pages excluded. */
export function listPages(outDir) {
  return walkFiles(outDir, '.html')
    .filter((rel) => !isAliasRedirect(readFileSync(path.join(outDir, rel), 'utf8')))
    .map(fileToUrlPath)
    .sort();
}

/** URL path of the first bio page (/team/<name>/), or null when there is none. */
export function firstBioPath(outDir) {
  const team = path.join(outDir, 'team');
  if (!existsSync(team)) return null;
  const names = readdirSync(team)
    .filter((n) => statSync(path.join(team, n)).isDirectory() && existsSync(path.join(team, n, 'index.html')))
    .filter((n) => !isAliasRedirect(readFileSync(path.join(team, n, 'index.html'), 'utf8')))
    .sort();
  return names.length ? `/team/${names[0]}/` : null;
}

/** The pages the screenshot and Lighthouse scripts look at. */
export function keyPages(outDir) {
  const pages = [
    { name: 'home', path: '/' },
    { name: 'article', path: '/articles/ketamine-assisted-psychotherapy/' },
    { name: 'faq', path: '/faq/' },
    { name: 'team', path: '/team/' },
  ];
  const bio = firstBioPath(outDir);
  if (bio) pages.push({ name: 'bio', path: bio });
  return pages.map((p) => ({
    ...p,
    exists: existsSync(path.join(outDir, p.path.slice(1), 'index.html')),
  }));
}

/** Chromium's version string, e.g. "Chromium 156.0.8078.108 built on Debian ...". */
export async function chromiumVersion() {
  try {
    const { stdout } = await run(chromePath, ['--version'], {});
    return stdout.trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Throws an Error that node's test reporter prints as just `message` (no
 * stack trace, no assert noise), so a failure reads as a plain list.
 */
export function fail(message) {
  const err = new Error(message);
  err.stack = `Error: ${message}`;
  throw err;
}

/**
 * Builds and serves the site and starts one headless Chromium for a test file.
 * Returns { site, browser, setupError }: when something needed is missing, only
 * `setupError` is set, and the test file reports it as one failing test.
 */
export async function siteAndBrowser() {
  const missing = missingPrerequisite({ browser: true });
  if (missing) return { site: null, browser: null, setupError: missing };
  let site = null;
  let browser = null;
  try {
    site = await buildAndServe();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromePath, args: chromeArgs, headless: true });
    return { site, browser, setupError: null };
  } catch (err) {
    await browser?.close().catch(() => {});
    await site?.close().catch(() => {});
    return { site: null, browser: null, setupError: err.message };
  }
}
