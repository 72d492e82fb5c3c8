// The machine-read files of the built site, checked with real validators:
//   - sitemap.xml against the sitemaps.org schema (sitemap 0.9 XSD, from the pinned npm
//     package `sitemap`), with xmllint;
//   - atom.xml with Python's feedparser (pinned in .ci/requirements-test.txt): not
//     "bozo" (well-formed, no undefined entities, no character-encoding trouble), every
//     entry with a link and an updated date-time that parses, newest first.
// There is no W3C feed validator to install from a package registry, so the Atom checks
// that feedparser does not make (RFC 3339 dates, absolute ids) are in tests/it/publish.rs.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { buildAndServe, fail, repoRoot } from './site.mjs';

const XSD = path.join(repoRoot, 'node_modules', 'sitemap', 'schema', 'sitemap.xsd');

const FEEDPARSER = `
import json, sys, feedparser
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": d.bozo,
  "problem": str(d.get("bozo_exception", "")),
  "version": d.version,
  "title": d.feed.get("title"),
  "entries": [
    {"title": e.get("title"), "link": e.get("link"), "updated": e.get("updated"),
     "updated_parsed": e.get("updated_parsed") is not None,
     "published_parsed": list(e.published_parsed) if e.get("published_parsed") else None}
    for e in d.entries],
}))
`;

describe('sitemap and feed validators', () => {
  let site;
  let setupError = null;
  before(async () => {
    try {
      site = await buildAndServe();
    } catch (err) {
      setupError = err.message;
    }
  });
  after(async () => {
    await site?.close().catch(() => {});
  });

  test('sitemap.xml is valid against the sitemaps.org schema', () => {
    if (setupError) fail(setupError);
    if (!existsSync(XSD)) fail(`${XSD} missing: run \`npm ci --ignore-scripts\` first`);
    const out = spawnSync('xmllint', ['--noout', '--schema', XSD, path.join(site.outDir, 'sitemap.xml')], {
      encoding: 'utf8',
    });
    if (out.error) fail('xmllint is needed: apt-get install libxml2-utils');
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr, /validates/);
  });

  test('atom.xml reads cleanly in feedparser, newest entry first', () => {
    if (setupError) fail(setupError);
    let raw;
    try {
      raw = execFileSync('python3', ['-c', FEEDPARSER, path.join(site.outDir, 'atom.xml')], { encoding: 'utf8' });
    } catch (err) {
      fail(`feedparser is needed (./.ci/test installs it into target/python-packages):\n${err.stderr ?? err.message}`);
    }
    const feed = JSON.parse(raw);
    assert.equal(feed.bozo, false, `feedparser: ${feed.problem}`);
    assert.equal(feed.version, 'atom10');
    assert.ok(feed.title, 'the feed has a title');
    assert.ok(feed.entries.length > 0, 'the site has articles');
    for (const e of feed.entries) {
      assert.ok(e.link && e.link.startsWith(site.origin + '/'), `${e.title}: link ${e.link}`);
      assert.ok(e.updated_parsed, `${e.title}: updated ${e.updated} does not parse`);
    }
    const published = feed.entries.map((e) => e.published_parsed).filter(Boolean);
    const sorted = [...published].sort((a, b) => (a.join() < b.join() ? 1 : -1));
    assert.deepEqual(published, sorted, 'newest first');
  });
});
