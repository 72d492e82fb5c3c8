#!/usr/bin/env python3
"""Save-to-reload latency of `grove serve`, beside `hugo server` (and `zola serve` when a
`zola` binary is on PATH), on generated corpora. A benchmark, not a test: it prints
figures for docs/performance.md and asserts nothing about speed.

    python3 scripts/serve-latency.py [--pages 1000,10000] [--trials 20] [--dir /dev/shm/grove-serve-bench]
                                     [--edit article|stylesheet]

For each size it generates the shared benchmark corpus (../shared/bench/gen_corpus.py beside the checkout,
or $BENCH_DIR/gen_corpus.py) and builds two sites from it:
  grove: the real site (content/, config.toml, themes/oakland) with the corpus articles
         added to content/articles/, so the real theme renders them;
  hugo:  the corpus with the Hugo anchor scaffold (run_anchor.sh hugo N DIR, not built).
Each server is started bound to 127.0.0.1; then, --trials times: wait --settle seconds,
rewrite one article in place (its text plus a paragraph holding a unique marker, one
write()), and measure from just after close():
  reload:  until grove's live-reload socket (/__grove/live) delivers the `reload` message that covers
           the article (grove only: Hugo's live reload speaks another protocol);
  visible: until a GET of the article (polled every --poll seconds) contains the marker.
The next edit waits until the server logged the end of the previous rebuild. The article
is restored and the server stopped at the end. Only loopback addresses are used.

--edit stylesheet (grove only) edits the theme's css/site.css instead, with a comment
holding the marker: `reload` is then until the `css` message that tells tabs to swap the
stylesheet, `visible` until a GET of /css/site.css shows the marker, and the rebuild the
server printed includes rendering every page again to link to the stylesheet's new
content-hashed name.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from live_socket import LiveSocket  # scripts/live_socket.py

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The benchmark kit (corpus generator, anchor scaffolds) beside the checkout, or BENCH_DIR.
BENCH = os.environ.get("BENCH_DIR", os.path.normpath(os.path.join(REPO, "..", "shared", "bench")))
ARTICLE_KEYS = {"title", "date", "updated", "description", "tags", "draft", "slug", "aliases", "extra"}
DONE = {
    "grove": re.compile(r"^(?:rebuilt \d+ pages? in|updated stylesheets in) (\d+) ms", re.M),
    "hugo": re.compile(r"Total in ([\d.]+) ?(ms|s)\b"),
    "zola": re.compile(r"Done in ([\d.]+) ?(ms|s)\b"),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except OSError:
        return None, ""


def check_front_matter(articles_dir):
    """Fails unless the corpus articles use only fields grove accepts for articles; a
    Zola-style [taxonomies] table is folded into a top-level `tags` list."""
    for name in sorted(os.listdir(articles_dir)):
        if not name.startswith("article-"):
            continue
        path = os.path.join(articles_dir, name)
        text = open(path, encoding="utf-8").read()
        _, fm, body = text.split("+++\n", 2)
        if "[taxonomies]" in fm:
            fm = fm.replace("\n[taxonomies]\n", "\n")
            open(path, "w", encoding="utf-8").write("+++\n" + fm + "+++\n" + body)
        keys = {line.split("=", 1)[0].strip() for line in fm.splitlines() if "=" in line}
        unknown = keys - ARTICLE_KEYS
        if unknown:
            sys.exit(f"{path}: fields grove does not know for articles: {sorted(unknown)}")


def prepare_grove(pages, workdir):
    corpus = os.path.join(workdir, f"corpus-{pages}")
    site = os.path.join(workdir, f"grove-{pages}")
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(BENCH, "gen_corpus.py"), "--pages", str(pages),
                    "--out", corpus, "--format", "grove", "--seed", "1"], check=True)
    os.makedirs(site)
    for name in ("content", "themes", "templates", "static", "config.toml"):
        src = os.path.join(REPO, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(site, name))
        elif os.path.isfile(src):
            shutil.copy(src, site)
    arts = os.path.join(corpus, "content", "articles")
    for name in os.listdir(arts):
        if name.startswith("article-"):
            shutil.copy(os.path.join(arts, name), os.path.join(site, "content", "articles", name))
    check_front_matter(os.path.join(site, "content", "articles"))
    shutil.rmtree(corpus)
    return site


def prepare_anchor(tool, pages, workdir):
    site = os.path.join(workdir, f"{tool}-{pages}")
    subprocess.run(["sh", os.path.join(BENCH, "run_anchor.sh"), tool, str(pages), site],
                   check=True, env={**os.environ, "BUILD": "0"}, stdout=subprocess.DEVNULL)
    return site


class EventStream:
    """Reads grove's live-reload socket and records when each message arrived."""

    def __init__(self, port):
        self.events = []  # (monotonic time, name, message)
        self.socket = LiveSocket(port)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for name, message in self.socket.messages():
            self.events.append((time.monotonic(), name, message))

    def reload_after(self, t0, url_path):
        """Arrival time of the first reload message after t0 that reloads a tab on url_path
        (for a stylesheet, the first `css` message)."""
        for t, name, message in list(self.events):
            if t >= t0 and name == "css" and url_path.endswith(".css"):
                return t
            if t < t0 or name != "reload":
                continue
            paths = message.get("paths")
            if paths is None or url_path in paths:
                return t
        return None

    def close(self):
        self.socket.close()


def peak_rss_mib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def percentile(xs, p):
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def measure(tool, cmd, site, port, url_path, rel_file, o):
    url = f"http://127.0.0.1:{port}{url_path}"
    log_path = os.path.join(o.dir, f"{tool}-{os.path.basename(site)}.log")
    path = os.path.join(site, rel_file)
    original = open(path, encoding="utf-8").read()
    log = open(log_path, "w")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=site, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    done_re = DONE[tool]
    rebuilds = lambda: done_re.findall(open(log_path, errors="replace").read())
    reload_ms, visible_ms, reported = [], [], []
    stream = None
    try:
        while get(url)[0] != 200:
            if proc.poll() is not None or time.monotonic() - start > 900:
                sys.exit(f"{tool} did not come up; see {log_path}")
            time.sleep(0.1)
        startup = time.monotonic() - start
        print(f"  {tool}: up after {startup:.1f} s", flush=True)
        if tool == "grove":
            stream = EventStream(port)
        for k in range(1, o.trials + 1):
            time.sleep(o.settle)
            marker = f"serve-latency-{os.getpid()}-{k}"
            n_before = len(rebuilds())
            added = (f"\n/* {marker} */\n" if rel_file.endswith(".css")
                     else f"\nThis paragraph was added by edit {marker}.\n")
            with open(path, "w", encoding="utf-8") as f:
                f.write(original + added)
            t0 = time.monotonic()
            while marker not in get(url)[1]:
                if time.monotonic() - t0 > 120:
                    sys.exit(f"{tool}: edit {k} never showed up; see {log_path}")
                time.sleep(o.poll)
            visible_ms.append((time.monotonic() - t0) * 1000)
            while len(rebuilds()) == n_before:
                if time.monotonic() - t0 > 300:
                    sys.exit(f"{tool}: no end-of-rebuild line for edit {k}; see {log_path}")
                time.sleep(o.poll)
            found = rebuilds()[-1]
            value, unit = (found, "ms") if isinstance(found, str) else found
            reported.append(float(value) * (1000 if unit == "s" else 1))
            if stream:
                # The event may still be on its way when the log line is read.
                while (t := stream.reload_after(t0, url_path)) is None:
                    if time.monotonic() - t0 > 300:
                        sys.exit(f"grove: no reload event for edit {k}; see {log_path}")
                    time.sleep(o.poll)
                reload_ms.append((t - t0) * 1000)
            line = f"    edit {k:2}: visible {visible_ms[-1]:7.1f} ms"
            if stream:
                line += f", reload event {reload_ms[-1]:7.1f} ms"
            print(line + f", server says {reported[-1]:.0f} ms", flush=True)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        if stream:
            stream.close()
        peak = peak_rss_mib(proc.pid)
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(20)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    return {"startup_s": startup, "reload": reload_ms, "visible": visible_ms,
            "reported": reported, "rss": peak}


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", default="1000,10000", help="corpus sizes, comma-separated")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--settle", type=float, default=1.5, help="idle seconds before each edit")
    p.add_argument("--poll", type=float, default=0.002, help="seconds between polls")
    p.add_argument("--dir", default="/dev/shm/grove-serve-bench", help="work folder (tmpfs for stable figures)")
    p.add_argument("--grove", default=os.path.join(REPO, "target", "release", "grove"))
    p.add_argument("--tools", default="grove,hugo,zola", help="which servers to measure")
    p.add_argument("--edit", default="article", choices=["article", "stylesheet"],
                   help="what each trial edits (stylesheet: grove only)")
    o = p.parse_args()
    os.makedirs(o.dir, exist_ok=True)
    # A private copy: other builds may replace target/release/grove during a long run.
    grove = os.path.join(o.dir, "grove")
    shutil.copy(o.grove, grove)
    tools = [t for t in o.tools.split(",") if t and (o.edit == "article" or t == "grove")]
    for t in ("hugo", "zola"):
        if t in tools and not shutil.which(t):
            print(f"{t}: not on PATH, skipped" + (" (apt-get install -y hugo)" if t == "hugo" else ""))
            tools.remove(t)
    print(f"machine: {os.cpu_count()} CPUs, {platform_line()}")
    print(f"grove: {version([grove, '--version'])}")
    for t in tools:
        if t != "grove":
            print(f"{t}: {version([t, 'version' if t == 'hugo' else '--version'])}")
    results = []
    for pages in [int(x) for x in o.pages.split(",")]:
        middle = f"article-{pages // 2:05d}"
        rel = f"content/articles/{middle}.md"
        url_path = f"/articles/{middle}/"
        if o.edit == "stylesheet":
            rel, url_path = "themes/oakland/static/css/site.css", "/css/site.css"
        for tool in tools:
            print(f"{tool}, {pages} pages:", flush=True)
            port = free_port()
            if tool == "grove":
                site = prepare_grove(pages, o.dir)
                cmd = [grove, "serve", "--port", str(port)]
            elif tool == "hugo":
                site = prepare_anchor("hugo", pages, o.dir)
                cmd = ["hugo", "server", "--bind", "127.0.0.1", "--port", str(port)]
            else:
                site = prepare_anchor("zola", pages, o.dir)
                cmd = ["zola", "serve", "-i", "127.0.0.1", "-p", str(port), "--fast"]
            r = measure(tool, cmd, site, port, url_path, rel, o)
            shutil.rmtree(site, ignore_errors=True)
            results.append((tool, pages, r))
    print()
    print("| server | pages | reload event median / p95 ms | visible median / p95 ms | rebuild the server printed, median ms | startup s | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for tool, pages, r in results:
        ev = (f"{statistics.median(r['reload']):.0f} / {percentile(r['reload'], 95):.0f}"
              if r["reload"] else "n/a")
        vis = f"{statistics.median(r['visible']):.0f} / {percentile(r['visible'], 95):.0f}"
        rss = f"{r['rss']:.0f}" if r["rss"] else "?"
        print(f"| {tool} | {pages:,} | {ev} | {vis} | {statistics.median(r['reported']):.0f} | {r['startup_s']:.1f} | {rss} |")


def platform_line():
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    return f"{model}, {int(mem) // 1024 // 1024} GiB"


if __name__ == "__main__":
    main()
