#!/usr/bin/env python3
"""Build benchmark: grove beside Hugo and Zola on one corpus, first builds and rebuilds,
on tmpfs and on disk, in one run.

    python3 benches/build.py [--pages 1000,10000,100000] [--storage tmpfs,disk]
                             [--runs 3] [--tools grove,hugo,zola] [--tag-paginate]

Per storage and size it generates the shared benchmark corpus (shared/bench/gen_corpus.py)
and lays it out three ways: for grove, the real site (config.toml, content/, the oakland
theme) with the generated articles added to content/articles/; for Hugo and Zola, the
anchor scaffolds of shared/bench/anchors/. Then, for each tool:

- first build: the output folder removed first (for grove also its .public.grove/, which
  holds the build before last), so everything is written anew;
- rebuild: one article edited (a paragraph added), then a build into the output the
  previous builds left, as a person does after a save. Two untimed builds come first, so
  that grove's slot holds a whole earlier build. The edit is checked in the output.

Before every timed build the script runs `sync` (untimed), so that writing back the
previous build does not land inside the next one; builds do not sync themselves (none of
the three tools does). The page cache stays warm, as on a person's machine between builds.

On the disk, nothing is deleted between builds: an output to be replaced (and each site
once measured) is renamed into trash/, emptied at the end. ext4 passes over inodes freed
in the last 30 seconds or so when it makes new ones (`recently_deleted`), so a build right
after `rm -rf public/` creates its 22,000 files and folders several times slower than
after a fresh clone; that would measure the deletion, not the tool. (Zola deletes its
`public/` itself on every build, and pays for it in its rebuilds: that is Zola.)
Tools take turns in each round; the median of --runs is reported with GNU time's peak RSS.
Sizes of 50,000 articles and more prepare and build one tool at a time (three 100,000-
article sites with their outputs would not fit in memory on tmpfs) and take --big-runs.

Needs: python3, /usr/bin/time (Debian: apt-get install -y time), hugo (apt-get install -y
hugo), cargo. Zola: `zola` on the PATH, ZOLA=/path, or the xz-compressed binary of the
benchmark kit (bin/zola-*.xz), which is unpacked into the work folder.
"""

import argparse
import json
import lzma
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITE_FILES = ["config.toml", "content", "themes", "static", "templates"]
STORAGE = {"tmpfs": "/dev/shm/grove-bench", "disk": "/var/tmp/grove-bench"}
GOALS = [
    # (what, storage, pages, scenario, anchor, at most)
    ("rebuild after one edit, on disk", "disk", 10000, "rebuild", "hugo", 0.25),
    ("first build, on disk", "disk", 10000, "first", "hugo", 0.5),
    ("first build, on tmpfs", "tmpfs", 10000, "first", "zola", 0.35),
    ("rebuild after one edit, on tmpfs", "tmpfs", 10000, "rebuild", "zola", 0.35),
]


def find_bench_dir(arg):
    for candidate in [arg, os.environ.get("GROVE_BENCH_DIR"), REPO.parent / "shared" / "bench",
                      REPO / "shared" / "bench"]:
        if candidate and (Path(candidate) / "gen_corpus.py").is_file():
            return Path(candidate).resolve()
    sys.exit("cannot find gen_corpus.py: pass --bench-dir (the shared/bench folder)")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def version(cmd):
    try:
        return run(cmd).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        return None


def fs_type(path: Path):
    try:
        return run(["stat", "-f", "-c", "%T", str(path)]).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        mem = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        mem = "unknown"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem,
            "os": platform.platform(), "load_before": os.getloadavg()[0]}


def find_zola(bench: Path, work: Path):
    zola = os.environ.get("ZOLA") or shutil.which("zola")
    if zola:
        return zola
    packed = sorted((bench / "bin").glob("zola-*.xz"))
    if not packed:
        return None
    target = work / "zola"
    if not target.exists():
        target.write_bytes(lzma.decompress(packed[-1].read_bytes()))
        target.chmod(0o755)
    return str(target)


def set_tags_paginate_by(config: Path, value: int):
    """Top-level key: it must come before the first [table] of config.toml."""
    lines = [l for l in config.read_text().splitlines() if not l.startswith("tags_paginate_by")]
    config.write_text(f"tags_paginate_by = {value}\n" + "\n".join(lines) + "\n")


def prepare_grove(site: Path, corpus: Path, tag_paginate: bool):
    site.mkdir(parents=True)
    for name in SITE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, site / name, ignore=shutil.ignore_patterns("public"))
        elif src.is_file():
            shutil.copy(src, site / name)
    articles = site / "content" / "articles"
    for f in sorted((corpus / "content" / "articles").glob("article-*.md")):
        shutil.copy(f, articles / f.name)
    # One page per tag unless asked, as the anchors do by default.
    set_tags_paginate_by(site / "config.toml", 10 if tag_paginate else 1_000_000)


def prepare_anchor(bench: Path, tool: str, pages: int, site: Path, tag_paginate: bool):
    env = dict(os.environ, BUILD="0", TAG_PAGINATE="1" if tag_paginate else "0", SEED="1")
    run(["sh", str(bench / "run_anchor.sh"), tool, str(pages), str(site)], env=env)


def timed(cmd, cwd: Path):
    """One build: wall s, user+sys s, peak RSS MiB (None when the build failed)."""
    subprocess.run(["sync"], check=False)
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        print(f"  {' '.join(cmd)} failed in {cwd} (exit {p.returncode}):\n{p.stdout[-1000:]}\n"
              f"{p.stderr[-2000:]}", file=sys.stderr)
        return None
    field = lambda name: re.search(rf"{re.escape(name)}: ([\d.]+)", p.stderr).group(1)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    return {"wall": wall, "cpu": cpu, "rss": rss}


class Trash:
    """Removes folders at once on tmpfs; on a disk, renames them into one trash folder that
    is emptied when the measurements are over (see the module's notes)."""

    def __init__(self, work: Path, disk: bool):
        self.dir, self.disk, self.n = work / "trash", disk, 0

    def discard(self, path: Path):
        if not path.exists():
            return
        if not self.disk:
            shutil.rmtree(path, ignore_errors=True)
            return
        self.dir.mkdir(exist_ok=True)
        self.n += 1
        path.rename(self.dir / f"{self.n}-{path.name}")

    def empty(self, settle: bool):
        shutil.rmtree(self.dir, ignore_errors=True)
        if settle and self.disk:
            subprocess.run(["sync"], check=False)
            time.sleep(35)


def clear_output(tool: str, site: Path, trash: Trash):
    trash.discard(site / "public")
    if tool == "grove":
        trash.discard(site / ".public.grove")


def edit_article(site: Path, pages: int, n: int):
    """Adds a paragraph with a marker to the middle article; returns the marker."""
    name = f"article-{pages // 2:05d}"
    marker = f"benchmark-edit-{n}-{time.time_ns()}"
    with open(site / "content" / "articles" / f"{name}.md", "a") as f:
        f.write(f"\n\nAn added paragraph, {marker}.\n")
    return name, marker


def check_edit(site: Path, name: str, marker: str):
    page = site / "public" / "articles" / name / "index.html"
    if marker not in page.read_text(errors="replace"):
        sys.exit(f"the edit {marker} is not in {page}: the rebuild did not pick it up")


def summary(samples):
    ok = [s for s in samples if s]
    if not ok:
        return None
    walls = [s["wall"] for s in ok]
    return {"wall": statistics.median(walls), "min": min(walls), "max": max(walls),
            "cpu": statistics.median(s["cpu"] for s in ok),
            "rss": statistics.median(s["rss"] for s in ok), "runs": len(ok),
            "failed": len(samples) - len(ok)}


def html_files(folder: Path):
    return sum(1 for _ in folder.rglob("*.html"))


def measure(tools, commands, sites, pages, runs, log, trash):
    """First builds, then rebuilds, tools taking turns; returns {tool: {scenario: summary}}."""
    samples = {t: {"first": [], "rebuild": []} for t in tools}
    for round_ in range(runs):
        order = tools if round_ % 2 == 0 else list(reversed(tools))
        for tool in order:
            clear_output(tool, sites[tool], trash)
            s = timed(commands[tool], sites[tool])
            samples[tool]["first"].append(s)
            log(f"{pages} {tool} first build {round_ + 1}: " + (f"{s['wall']:.2f} s, {s['rss']:.0f} MiB" if s else "failed"))
    for tool in tools:
        # Untimed: fill grove's slot with a whole build (the others just build twice).
        for _ in range(2):
            timed(commands[tool], sites[tool])
    for round_ in range(runs):
        order = tools if round_ % 2 == 0 else list(reversed(tools))
        for tool in order:
            name, marker = edit_article(sites[tool], pages, round_)
            s = timed(commands[tool], sites[tool])
            if s:
                check_edit(sites[tool], name, marker)
            samples[tool]["rebuild"].append(s)
            log(f"{pages} {tool} rebuild {round_ + 1}: " + (f"{s['wall']:.2f} s, {s['rss']:.0f} MiB" if s else "failed"))
    return {t: {k: summary(v) for k, v in sc.items()} | {"html_files": html_files(sites[t] / "public")}
            for t, sc in samples.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="1000,10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--storage", default="tmpfs,disk", help="tmpfs, disk or both")
    ap.add_argument("--runs", type=int, default=3, help="timed builds per tool, scenario and size")
    ap.add_argument("--big-runs", type=int, default=1, help="the same for 50,000 articles and more")
    ap.add_argument("--tools", default="grove,hugo,zola")
    ap.add_argument("--tag-paginate", action="store_true", help="10 articles per tag page in every tool")
    ap.add_argument("--tmpfs-dir", default=STORAGE["tmpfs"])
    ap.add_argument("--disk-dir", default=STORAGE["disk"])
    ap.add_argument("--bench-dir", help="the shared/bench folder (gen_corpus.py, anchors/)")
    ap.add_argument("--grove", help="a grove binary; default: cargo build --release, then target/release/grove")
    ap.add_argument("--json", help="also write the results here")
    o = ap.parse_args()

    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time is missing: apt-get install -y time")
    bench = find_bench_dir(o.bench_dir)
    dirs = {"tmpfs": Path(o.tmpfs_dir), "disk": Path(o.disk_dir)}
    storages = [s.strip() for s in o.storage.split(",")]
    for s in storages:
        dirs[s].mkdir(parents=True, exist_ok=True)
    if "disk" in storages and fs_type(dirs["disk"]) in ("tmpfs", "ramfs"):
        sys.exit(f"{dirs['disk']} is on {fs_type(dirs['disk'])}, not a disk: pass --disk-dir")
    home = dirs[storages[0]]
    # A private copy, so that a rebuild of target/ during the runs changes nothing.
    if o.grove:
        grove_src = Path(o.grove)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        grove_src = REPO / "target" / "release" / "grove"
    grove = home / "grove"
    shutil.copy(grove_src, grove)

    wanted = [t.strip() for t in o.tools.split(",")]
    found = {"grove": str(grove), "hugo": os.environ.get("HUGO") or shutil.which("hugo"),
             "zola": find_zola(bench, home)}
    tools = [t for t in wanted if found.get(t)]
    for t in wanted:
        if not found.get(t):
            print(f"{t} not found: skipped", file=sys.stderr)
    info = {"machine": machine(), "tag_paginate": o.tag_paginate,
            "storage": {s: f"{dirs[s]} ({fs_type(dirs[s])})" for s in storages},
            "versions": {"grove": version([str(grove), "--version"]),
                         "hugo": version([found["hugo"], "version"]) if found["hugo"] else None,
                         "zola": version([found["zola"], "--version"]) if found["zola"] else None},
            "results": {}}
    commands = {"grove": [str(grove), "build", "--root", ".", "--output", "public"],
                "hugo": [str(found["hugo"]), "--quiet"], "zola": [str(found["zola"]), "build"]}
    log = lambda line: print("  " + line, file=sys.stderr, flush=True)

    for storage in storages:
        work = dirs[storage]
        trash = Trash(work, storage == "disk")
        # What an earlier run left: removed, then ext4 is given time to forget it.
        trash.empty(settle=(work / "trash").exists())
        info["results"][storage] = {}
        for pages in [int(p) for p in o.pages.split(",")]:
            print(f"{storage}: preparing {pages} articles ...", file=sys.stderr, flush=True)
            corpus = work / f"corpus-{pages}"
            trash.discard(corpus)
            run([sys.executable, str(bench / "gen_corpus.py"), "--pages", str(pages), "--out", str(corpus),
                 "--format", "grove", "--seed", "1"])
            sites = {t: work / f"{t}-{pages}" for t in tools}

            def prepare(tool):
                trash.discard(sites[tool])
                if tool == "grove":
                    prepare_grove(sites[tool], corpus, o.tag_paginate)
                else:
                    prepare_anchor(bench, tool, pages, sites[tool], o.tag_paginate)

            big = pages >= 50_000
            runs = o.big_runs if big else o.runs
            result = {}
            if big:
                for tool in tools:
                    prepare(tool)
                    result |= measure([tool], commands, sites, pages, runs, log, trash)
                    trash.discard(sites[tool])
            else:
                for tool in tools:
                    prepare(tool)
                result = measure(tools, commands, sites, pages, runs, log, trash)
                for tool in tools:
                    trash.discard(sites[tool])
            trash.discard(corpus)
            info["results"][storage][pages] = result
        trash.empty(settle=False)

    info["machine"]["load_after"] = os.getloadavg()[0]
    report(info, tools)
    if o.json:
        Path(o.json).write_text(json.dumps(info, indent=2))


def cell(r, key="wall", fmt="{:.2f}"):
    return fmt.format(r[key]) if r else "failed"


def ratio(a, b, key="wall"):
    return f"{a[key] / b[key]:.2f}" if a and b else "-"


def report(info, tools):
    m, v = info["machine"], info["versions"]
    print(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']}, {m['os']}; "
          f"load average {m['load_before']:.2f} before, {m['load_after']:.2f} after.")
    print("Tools: " + "; ".join(v[t] or t for t in tools) + ".")
    print("Storage: " + "; ".join(f"{k}: {d}" for k, d in info["storage"].items()) + ".")
    tags = "10 articles per tag page" if info["tag_paginate"] else "one page per tag"
    print(f"Median wall time (min-max) and peak RSS; {tags}.\n")

    print("| storage | tool | articles | first build s | rebuild s | first build RSS MiB | rebuild RSS MiB | HTML files |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for storage, sizes in info["results"].items():
        for pages, res in sizes.items():
            for tool in tools:
                r = res[tool]
                span = lambda s: f"{s['wall']:.2f} ({s['min']:.2f}-{s['max']:.2f})" if s else "failed"
                print(f"| {storage} | {tool} | {int(pages):,} | {span(r['first'])} | {span(r['rebuild'])} "
                      f"| {cell(r['first'], 'rss', '{:.0f}')} | {cell(r['rebuild'], 'rss', '{:.0f}')} | {r['html_files']:,} |")
    print()

    anchors = [t for t in ("hugo", "zola") if t in tools]
    if "grove" in tools and anchors:
        head = " | ".join(f"grove/{a.capitalize()} {s}" for a in anchors for s in ("first", "rebuild", "RSS"))
        print(f"| storage | articles | {head} |")
        print("| --- | ---: |" + " ---: |" * (3 * len(anchors)))
        for storage, sizes in info["results"].items():
            for pages, res in sizes.items():
                g = res["grove"]
                cells = []
                for a in anchors:
                    cells += [ratio(g["first"], res[a]["first"]), ratio(g["rebuild"], res[a]["rebuild"]),
                              ratio(g["first"], res[a]["first"], "rss")]
                print(f"| {storage} | {int(pages):,} | " + " | ".join(cells) + " |")
        print()

    sizes = sorted({int(p) for s in info["results"].values() for p in s})
    if len(sizes) > 1:
        steps = list(zip(sizes, sizes[1:]))
        head = " | ".join(f"{a:,} -> {b:,}: time, RSS" for a, b in steps)
        print(f"Growth ({' and '.join(f'{b // a}x the articles' for a, b in steps)}; linear = the same factor):\n")
        print(f"| storage | tool | build | {head} |")
        print("| --- | --- | --- |" + " ---: |" * len(steps))
        for storage, res in info["results"].items():
            for tool in tools:
                for scenario in ("first", "rebuild"):
                    cells = []
                    for a, b in steps:
                        ra, rb = (res.get(a) or res.get(str(a)), res.get(b) or res.get(str(b)))
                        x, y = (ra or {}).get(tool, {}).get(scenario), (rb or {}).get(tool, {}).get(scenario)
                        cells.append(f"{y['wall'] / x['wall']:.1f}x, {y['rss'] / x['rss']:.1f}x" if x and y else "-")
                    print(f"| {storage} | {tool} | {scenario} | " + " | ".join(cells) + " |")
        print()

    print("Goals:\n")
    for what, storage, pages, scenario, anchor, limit in GOALS:
        res = info["results"].get(storage, {}).get(pages)
        if not res or "grove" not in res or anchor not in res:
            continue
        g, a = res["grove"][scenario], res[anchor][scenario]
        if g and a:
            r = g["wall"] / a["wall"]
            print(f"- {pages:,} articles, {what}: {r:.2f}x {anchor.capitalize()} (goal <= {limit}): "
                  + ("met" if r <= limit else "NOT met"))
    for storage, sizes in info["results"].items():
        res = sizes.get(10000)
        if res and "grove" in res:
            peak = max(s["rss"] for s in res["grove"].values() if isinstance(s, dict) and s)
            print(f"- 10,000 articles on {storage}: grove's peak RSS {peak:.0f} MiB (goal < 400): "
                  + ("met" if peak < 400 else "NOT met"))


if __name__ == "__main__":
    main()
