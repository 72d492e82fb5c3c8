// Runs the Nu Html Checker (vnu.jar, the W3C validator) over every .html file
// of the built site in one JVM run, and fails listing each error with file,
// line, column and message. 0 errors required.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildAndServe, fail, missingPrerequisite, vnuJar, walkFiles } from './site.mjs';

const java = process.env.JAVA || 'java';

function runVnu(files) {
  return new Promise((resolve, reject) => {
    execFile(
      java,
      ['-jar', vnuJar, '--errors-only', '--format', 'json', '--stdout', ...files],
      { maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // vnu exits 1 when it found errors; the JSON report is what counts.
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`vnu.jar did not produce a JSON report (${err?.code ?? 0}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

const missing = missingPrerequisite({ java: true });
let site = null;
let setupError = missing;
if (!missing) {
  try {
    site = await buildAndServe();
  } catch (err) {
    setupError = err.message;
  }
}

if (setupError) {
  test('HTML validity (Nu Html Checker)', () => fail(setupError));
} else {
  after(() => site.close());
  const files = walkFiles(site.outDir, '.html');
  const byFile = new Map(files.map((f) => [f, []]));
  let report;
  let vnuError = null;
  if (files.length) {
    try {
      report = await runVnu(files.map((f) => path.join(site.outDir, f)));
    } catch (err) {
      vnuError = err.message;
    }
  }
  const relOf = (url) => {
    try {
      return path.relative(site.outDir, fileURLToPath(url)).split(path.sep).join('/');
    } catch {
      return url ?? '?';
    }
  };
  const stray = [];
  for (const m of report?.messages ?? []) {
    // --errors-only still reports fatal "non-document-error"s (I/O, unreadable file): keep them.
    if (m.type !== 'error' && m.type !== 'non-document-error') continue;
    const rel = relOf(m.url);
    (byFile.get(rel) ?? stray).push(m);
  }
  const fmt = (rel, m) =>
    `${rel}:${m.lastLine ?? m.firstLine ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'}: ${m.message}` +
    (m.extract ? `\n      near: ${JSON.stringify(m.extract.trim().slice(0, 160))}` : '');

  describe('HTML validity (Nu Html Checker)', () => {
    test('the site has HTML pages and vnu ran', () => {
      if (!files.length) fail(`no .html files in ${site.outDir}`);
      if (vnuError) fail(vnuError);
      if (stray.length) fail('vnu reported errors outside the page list:\n' + stray.map((m) => '  ' + fmt(m.url ?? '?', m)).join('\n'));
    });
    for (const rel of files) {
      test(rel, () => {
        const errors = byFile.get(rel).sort((a, b) => (a.lastLine ?? 0) - (b.lastLine ?? 0));
        if (errors.length) {
          fail(`${errors.length} HTML error(s) in ${rel}:\n` + errors.map((m) => '  ' + fmt(rel, m)).join('\n'));
        }
      });
    }
    test('summary: 0 HTML errors in the whole site', () => {
      const total = [...byFile.values()].reduce((n, list) => n + list.length, 0);
      const bad = [...byFile.entries()].filter(([, l]) => l.length).map(([f, l]) => `${f} (${l.length})`);
      if (total) fail(`${total} HTML error(s) in ${bad.length} file(s): ${bad.join(', ')}`);
    });
  });
}
