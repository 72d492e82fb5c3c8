#!/usr/bin/env python3
"""The editor's preview: how long one preview of the page beside the text takes, from the
request to the whole page as the site's templates make it, as the editor asks for it while
a person types (debounced, one at a time).

    python3 benches/preview.py [--pages 0,10000] [--runs 50] [--grove target/release/grove]

For each size, the real site (config.toml, content/, the oakland theme), with that many
generated articles of the shared benchmark corpus (shared/bench/gen_corpus.py) added to
content/articles/, is served by `grove serve --port 0`. The editor page of one article is
opened for its key, then --runs previews of that article are asked for over one kept-alive
connection, each with a text one character longer than the last (a person typing), after
5 untimed ones. Reported: the median and p95 (nearest rank) in milliseconds, and what each
answer weighed. Each answer is checked to be the whole page (the site's header, the text).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE_FILES = ["config.toml", "content", "themes", "static", "templates"]
ARTICLE = "articles/ketamine-assisted-psychotherapy.md"


def find_bench_dir(arg):
    for candidate in [arg, os.environ.get("GROVE_BENCH_DIR"), REPO.parent / "shared" / "bench",
                      REPO / "shared" / "bench"]:
        if candidate and (Path(candidate) / "gen_corpus.py").is_file():
            return Path(candidate).resolve()
    sys.exit("cannot find gen_corpus.py: pass --bench-dir (the shared/bench folder)")


def prepare(site: Path, corpus: Path | None):
    site.mkdir(parents=True)
    for name in SITE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, site / name, ignore=shutil.ignore_patterns("public"))
        elif src.is_file():
            shutil.copy(src, site / name)
    if corpus:
        for f in sorted((corpus / "content" / "articles").glob("article-*.md")):
            shutil.copy(f, site / "content" / "articles" / f.name)


def serve(grove: str, site: Path):
    proc = subprocess.Popen([grove, "serve", "--root", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    editor = None
    serving = False
    for line in proc.stdout:
        m = re.match(r"editor at http://127\.0\.0\.1:(\d+)/", line)
        if m:
            editor = int(m.group(1))
        serving = serving or line.startswith("serving at")
        if serving and editor:
            break
    if not editor:
        proc.kill()
        sys.exit("grove serve printed no editor address")
    return proc, editor


def measure(grove: str, site: Path, runs: int):
    proc, port = serve(grove, site)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", f"/__grove/edit?file={ARTICLE}")
        page = conn.getresponse().read().decode()
        secret = re.search(r'name="grove-secret" content="([0-9a-f]+)"', page).group(1)
        text = (site / "content" / ARTICLE).read_text()
        body = text.split("+++", 2)[2]
        headers = {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}",
                   "X-Grove-Secret": secret, "Content-Type": "application/json"}
        times, sizes = [], []
        typed = ""
        for i in range(runs + 5):
            typed += "abcdefghij klmnop"[i % 17]
            form = {"file": ARTICLE, "version": "", "fields": {"title": "Ketamine " + typed},
                    "body": body + "\n" + typed + "\n"}
            data = json.dumps(form).encode()
            start = time.perf_counter()
            conn.request("POST", "/__grove/api/preview", body=data, headers=headers)
            answer = conn.getresponse().read()
            took = time.perf_counter() - start
            parsed = json.loads(answer)
            html = parsed.get("html") or ""
            if 'class="site-header"' not in html or typed not in html:
                sys.exit(f"not the whole page: {parsed.get('problems')}")
            if i >= 5:
                times.append(took * 1000)
                sizes.append(len(html))
        return times, sizes
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default="0,10000", help="generated articles added, comma-separated")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--grove", default=str(REPO / "target" / "release" / "grove"))
    ap.add_argument("--bench-dir", help="the shared/bench folder (gen_corpus.py)")
    args = ap.parse_args()
    print("| articles added | previews | median ms | p95 ms | page KiB |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for pages in [int(p) for p in args.pages.split(",")]:
        with tempfile.TemporaryDirectory(prefix="grove-preview-") as tmp:
            tmp = Path(tmp)
            corpus = None
            if pages:
                corpus = tmp / "corpus"
                subprocess.run([sys.executable, str(find_bench_dir(args.bench_dir) / "gen_corpus.py"),
                                "--pages", str(pages), "--out", str(corpus), "--format", "grove",
                                "--seed", "1"], check=True, capture_output=True)
            prepare(tmp / "site", corpus)
            times, sizes = measure(args.grove, tmp / "site", args.runs)
            times.sort()
            p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
            print(f"| {pages:,} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | "
                  f"{statistics.median(sizes) / 1024:.0f} |", flush=True)


if __name__ == "__main__":
    main()
