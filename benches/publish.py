#!/usr/bin/env python3
"""Publishing from the preview: what the "Publish (N changes)" link, the publish page and
one publish cost, on the real site and on the real site with more articles.

    python3 benches/publish.py [--articles 0,1000] [--runs 5]

For each size: a copy of the real site (config.toml, content/, themes/) with that many
more articles (copies of the KAP article), committed into a git repository whose remote
is a bare repository on the same disk (file://), and `grove serve` on it (the release
binary, target/release/grove). Each run changes one article, then times over HTTP:

- page, counted: the first GET of a page of the site after the save has been rebuilt
  (the toolbar's link counts the changes with git: the cost the link adds);
- page, cached: the same GET again (the count is kept for the build);
- publish page: GET /__grove/publish on the editor's address (the list, each change
  described, and the same checks as grove check on the whole site);
- publish: POST /__grove/api/publish (check, fetch, commit, push to the bare repository).

Medians of --runs. git reads no settings of this machine (GIT_CONFIG_GLOBAL, HOME).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = "content/articles/ketamine-assisted-psychotherapy.md"


def git(cwd, *args, env):
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def request(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    return time.perf_counter() - start, status, body.decode("utf-8", "replace")


def prepare(work: Path, articles: int, env):
    site = work / "site"
    site.mkdir()
    for name in ["config.toml", "content", "themes", "static", "templates"]:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, site / name)
        elif src.exists():
            shutil.copy(src, site / name)
    text = (REPO / ARTICLE).read_text()
    for i in range(articles):
        copy = text.replace('title = "Ketamine-Assisted Psychotherapy"', f'title = "Article {i}"', 1)
        (site / f"content/articles/bench-{i}.md").write_text(copy)
    git(work, "init", "-q", "--bare", "-b", "main", "remote.git", env=env)
    git(site, "init", "-q", "-b", "main", env=env)
    git(site, "config", "user.name", "Bench", env=env)
    git(site, "config", "user.email", "bench@example.org", env=env)
    git(site, "add", "-A", env=env)
    git(site, "commit", "-q", "-m", "The site", env=env)
    git(site, "remote", "add", "origin", f"file://{work / 'remote.git'}", env=env)
    git(site, "push", "-q", "-u", "origin", "main", env=env)
    return site


def measure(articles: int, runs: int):
    work = Path(tempfile.mkdtemp(prefix="grove-publish-bench-"))
    env = dict(os.environ, GIT_CONFIG_GLOBAL=str(work / "gitconfig"), GIT_CONFIG_NOSYSTEM="1", HOME=str(work))
    (work / "gitconfig").write_text("")
    site = prepare(work, articles, env)
    serve = subprocess.Popen([str(REPO / "target/release/grove"), "serve", "--port", "0"], cwd=site, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        origin = editor = None
        while not (origin and editor):
            line = serve.stdout.readline()
            if not line:
                sys.exit("grove serve stopped")
            if m := re.match(r"editor at (http://127\.0\.0\.1:\d+)/", line):
                editor = m.group(1)
            if m := re.match(r"serving at (http://127\.0\.0\.1:\d+)/", line):
                origin = m.group(1)
        page = origin + "/articles/ketamine-assisted-psychotherapy/"
        samples = {"page, counted": [], "page, cached": [], "publish page": [], "publish": []}
        for run in range(runs):
            path = site / ARTICLE
            marker = f"Benchmark paragraph {run}."
            path.write_text(path.read_text() + f"\n{marker}\n")
            while marker not in request(page)[2]:
                time.sleep(0.05)
            # The page that showed the marker counted already; the next build counts anew.
            path.write_text(path.read_text() + f"\n{marker} Again.\n")
            while True:
                t, _, body = request(page)
                if f"{marker} Again." in body:
                    break
                time.sleep(0.05)
            samples["page, counted"].append(t)
            samples["page, cached"].append(request(page)[0])
            t, status, body = request(editor + "/__grove/publish")
            assert status == 200, status
            samples["publish page"].append(t)
            secret = re.search(r'grove-secret" content="([0-9a-f]+)"', body).group(1)
            fingerprint = re.search(r'data-fingerprint="([0-9a-f]+)"', body).group(1)
            data = json.dumps({"message": f"Run {run}", "fingerprint": fingerprint}).encode()
            headers = {"Origin": editor, "X-Grove-Secret": secret, "Content-Type": "application/json"}
            t, status, body = request(editor + "/__grove/api/publish", data, headers)
            assert status == 200, body
            samples["publish"].append(t)
        return {k: statistics.median(v) * 1000 for k, v in samples.items()}
    finally:
        serve.terminate()
        serve.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", default="0,1000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"git {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.split()[-1]}, "
          f"{os.cpu_count()} cores, median of {args.runs} runs, ms\n")
    print("| articles added | page, counted | page, cached | publish page | publish |")
    print("| --- | --- | --- | --- | --- |")
    for n in [int(x) for x in args.articles.split(",")]:
        r = measure(n, args.runs)
        print(f"| {n} | {r['page, counted']:.0f} | {r['page, cached']:.0f} | {r['publish page']:.0f} | {r['publish']:.0f} |")


if __name__ == "__main__":
    main()
