#!/usr/bin/env python3
"""Full-build benchmark: grove against Hugo (and Zola where installed) on one corpus.

    python3 benches/build.py [--pages 1000,10000] [--runs 5] [--tag-paginate]

Generates the shared benchmark corpus (shared/bench/gen_corpus.py) at each size and
lays it out three ways: for grove, the real site (config.toml, content/, the oakland
theme) with the generated articles added to content/articles/; for Hugo and Zola, the
anchor scaffolds of shared/bench/anchors/. Every build starts from an empty output
folder, on tmpfs (/dev/shm) by default. The tools take turns in each round, after one
warm-up build each, and the script prints the median wall time, CPU time and peak
memory (GNU time) as a Markdown table, with the ratios grove/Hugo and grove/Zola.

Tags: by default every tool writes one page per tag (the anchors' default); with
--tag-paginate every tool lists 10 articles per tag page (grove's own default).

Needs: python3, /usr/bin/time (Debian: apt-get install -y time), hugo (apt-get install
-y hugo), cargo. Zola is used when `zola` is on the PATH (or ZOLA=/path); otherwise the
script says it was skipped and prints the published Zola figures, marked as such.
"""

import argparse
import json
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

# From shared/bench/README.md (same corpus, tmpfs, 2-core VM): reference only.
ZOLA_REFERENCE = {
    False: {1000: (0.630, 165), 10000: (6.38, 1054)},
    True: {1000: (1.10, 166), 10000: (52.2, 1055)},
}


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


def set_tags_paginate_by(config: Path, value: int):
    """Top-level key: it must come before the first [table] of config.toml."""
    lines = [l for l in config.read_text().splitlines() if not l.startswith("tags_paginate_by")]
    config.write_text(f"tags_paginate_by = {value}\n" + "\n".join(lines) + "\n")


def prepare_grove(site: Path, corpus: Path, tag_paginate: bool):
    shutil.rmtree(site, ignore_errors=True)
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
    shutil.rmtree(site, ignore_errors=True)
    run(["sh", str(bench / "run_anchor.sh"), tool, str(pages), str(site)], env=env)


def timed(cmd, cwd: Path, output: Path):
    """One build from an empty output folder: wall s, user+sys s, peak RSS MiB."""
    shutil.rmtree(output, ignore_errors=True)
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    field = lambda name: re.search(rf"{re.escape(name)}: ([\d.]+)", p.stderr).group(1)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    return {"wall": wall, "cpu": cpu, "rss": rss}


def html_files(folder: Path):
    return sum(1 for _ in folder.rglob("*.html"))


def summary(samples):
    walls = [s["wall"] for s in samples]
    return {"wall": statistics.median(walls), "min": min(walls), "max": max(walls),
            "cpu": statistics.median(s["cpu"] for s in samples),
            "rss": statistics.median(s["rss"] for s in samples), "runs": len(samples)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="1000,10000", help="comma-separated corpus sizes")
    ap.add_argument("--runs", type=int, default=5, help="timed builds per tool and size (after 1 warm-up)")
    ap.add_argument("--tag-paginate", action="store_true", help="10 articles per tag page in every tool")
    ap.add_argument("--workdir", default="/dev/shm/grove-bench", help="where the sites go (tmpfs)")
    ap.add_argument("--bench-dir", help="the shared/bench folder (gen_corpus.py, anchors/)")
    ap.add_argument("--grove", help="a grove binary; default: cargo build --release, then target/release/grove")
    ap.add_argument("--json", help="also write the results here")
    o = ap.parse_args()

    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time is missing: apt-get install -y time")
    bench = find_bench_dir(o.bench_dir)
    work = Path(o.workdir)
    work.mkdir(parents=True, exist_ok=True)
    # A private copy, so that a rebuild of target/ during the runs changes nothing.
    if o.grove:
        grove_src = Path(o.grove)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        grove_src = REPO / "target" / "release" / "grove"
    grove = work / "grove"
    shutil.copy(grove_src, grove)

    hugo = os.environ.get("HUGO") or shutil.which("hugo")
    zola = os.environ.get("ZOLA") or shutil.which("zola")
    if not hugo:
        sys.exit("hugo is not on the PATH: apt-get install -y hugo (or HUGO=/path/to/hugo)")
    tools = {"grove": str(grove), "hugo": hugo}
    if zola:
        tools["zola"] = zola
    info = {"machine": machine(), "tag_paginate": o.tag_paginate, "runs": o.runs,
            "versions": {"grove": version([str(grove), "--version"]),
                         "hugo": version([hugo, "version"]),
                         "zola": version([zola, "--version"]) if zola else None},
            "results": {}}

    for pages in [int(p) for p in o.pages.split(",")]:
        print(f"preparing {pages} pages ...", file=sys.stderr)
        corpus = work / f"corpus-{pages}"
        shutil.rmtree(corpus, ignore_errors=True)
        run([sys.executable, str(bench / "gen_corpus.py"), "--pages", str(pages), "--out", str(corpus),
             "--format", "grove", "--seed", "1"])
        sites = {"grove": work / f"grove-{pages}", "hugo": work / f"hugo-{pages}", "zola": work / f"zola-{pages}"}
        prepare_grove(sites["grove"], corpus, o.tag_paginate)
        for tool in ["hugo", "zola"]:
            if tool in tools:
                prepare_anchor(bench, tool, pages, sites[tool], o.tag_paginate)
        commands = {
            "grove": [tools["grove"], "build", "--root", ".", "--output", "public"],
            "hugo": [hugo, "--quiet"],
            "zola": [zola, "build"] if zola else None,
        }
        samples = {t: [] for t in tools}
        for round_ in range(o.runs + 1):
            order = list(tools) if round_ % 2 == 0 else list(reversed(tools))
            for tool in order:
                s = timed(commands[tool], sites[tool], sites[tool] / "public")
                print(f"  {pages} {tool} run {round_}: {s['wall']:.3f} s, {s['rss']:.0f} MiB"
                      + (" (warm-up)" if round_ == 0 else ""), file=sys.stderr)
                if round_ > 0:
                    samples[tool].append(s)
        result = {t: summary(v) | {"html_files": html_files(sites[t] / "public")} for t, v in samples.items()}
        info["results"][pages] = result

    info["machine"]["load_after"] = os.getloadavg()[0]
    report(info, bool(zola))
    if o.json:
        Path(o.json).write_text(json.dumps(info, indent=2))


def report(info, zola_measured):
    m, v = info["machine"], info["versions"]
    print(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']}, {m['os']}; "
          f"load average {m['load_before']:.2f} before, {m['load_after']:.2f} after.")
    print(f"Tools: {v['grove']}; {v['hugo']}; "
          + (v["zola"] if zola_measured else "Zola: not on the PATH, skipped (published figures below)") + ".")
    tags = "10 articles per tag page" if info["tag_paginate"] else "one page per tag"
    print(f"Median of {info['runs']} builds after 1 warm-up, tools alternating; tmpfs; {tags}.\n")
    print("| tool | articles | wall s (min-max) | user+sys s | peak RSS MiB | HTML files |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for pages, res in info["results"].items():
        for tool, r in res.items():
            print(f"| {tool} | {pages:,} | {r['wall']:.3f} ({r['min']:.3f}-{r['max']:.3f}) | {r['cpu']:.2f} "
                  f"| {r['rss']:.0f} | {r['html_files']:,} |")
    print()
    print("| articles | grove/Hugo wall | grove/Hugo RSS | grove/Zola wall | grove/Zola RSS |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for pages, res in info["results"].items():
        g, h = res["grove"], res["hugo"]
        if zola_measured:
            z = res["zola"]
            zw, zr = f"{g['wall'] / z['wall']:.2f}", f"{g['rss'] / z['rss']:.2f}"
        else:
            ref = ZOLA_REFERENCE[info["tag_paginate"]].get(pages)
            zw, zr = (f"{g['wall'] / ref[0]:.2f} (vs published, not measured)",
                      f"{g['rss'] / ref[1]:.2f} (vs published)") if ref else ("-", "-")
        print(f"| {pages:,} | {g['wall'] / h['wall']:.2f} | {g['rss'] / h['rss']:.2f} | {zw} | {zr} |")


if __name__ == "__main__":
    main()
