// Shared by the browser suites that drive `grove serve`: a copy of the real site to edit,
// and the server started on it and stopped again. Not a test file (no `.test.mjs`).

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { groveBin, repoRoot } from './site.mjs';

const DEADLINE_MS = 10_000;

/** Copies what `grove serve` reads into a fresh folder, so edits never touch the repository. */
export function copySite(prefix = 'grove-serve-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const name of ['content', 'themes', 'templates', 'static', 'config.toml']) {
    const from = path.join(repoRoot, name);
    if (existsSync(from)) cpSync(from, path.join(dir, name), { recursive: true });
  }
  return dir;
}

/**
 * Starts `grove serve` on `root` and resolves once it printed its address; `env` adds to
 * its environment. Returns { origin, port, editorOrigin, child, output() }.
 */
export function startServe(root, port = 0, env = {}) {
  const child = spawn(groveBin(), ['serve', '--root', root, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`grove serve printed no address within ${DEADLINE_MS} ms:\n${out}`));
    }, DEADLINE_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`grove serve exited with ${code}:\n${out}`));
    });
    const look = () => {
      const m = out.match(/^serving at (http:\/\/127\.0\.0\.1:(\d+))\/$/m);
      if (!m) return;
      // Printed before the `serving at` line when editing is on: the editor's own origin.
      const editor = out.match(/^editor at (http:\/\/127\.0\.0\.1:\d+)\/$/m);
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve({ origin: m[1], port: Number(m[2]), editorOrigin: editor ? editor[1] : null, child, output: () => out });
    };
    child.stdout.on('data', look);
  });
}

/** Stops the server and waits for the process to end. */
export async function stopServe(server) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGINT');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), DEADLINE_MS);
  await exited;
  clearTimeout(timer);
}

/** A phone and a desktop, the two sizes the editor's pages are checked at. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
};
let axeSource = null;

/** The WCAG 2.1 A/AA violations axe-core finds in `page`, one line each. */
export async function axeViolations(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated by the DevTools protocol, which the editor's script policy does not cover.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  return page.evaluate(async (options) => {
    const result = await window.axe.run(document, options);
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }, AXE_OPTIONS);
}
