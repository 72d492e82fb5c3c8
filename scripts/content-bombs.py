#!/usr/bin/env python3
"""Content bombs: what `grove build` and `grove check` cost on pages pasted by accident.

    cargo build --release && python3 scripts/content-bombs.py     # --grove PATH to compare

Makes three sites from tests/fixtures/build/site in a temporary folder and runs each
command under /usr/bin/time -v (wall time, peak RSS, lines printed, exit code):

- links: one page with 20,000 `@/` links to files that do not exist, on one line;
- headings: one page with 20,000 level-1 headings named alike ("# Same");
- site: 10,000 pages, each with one `@/` link to a file that does not exist.

Each run is stopped after --timeout seconds (a binary from before the caps takes minutes
and gigabytes). Needs /usr/bin/time (Debian: apt-get install -y time).
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COUNT = 20_000


def page(body):
    return f'+++\ntitle = "Pasted"\ndescription = "A pasted page."\n+++\n{body}'


def make(kind, folder):
    site = folder / kind
    shutil.copytree(REPO / "tests/fixtures/build/site", site)
    content = site / "content"
    if kind == "links":
        links = " ".join(f"[x](@/articles/first-{i % 7}.md)" for i in range(COUNT))
        (content / "pasted.md").write_text(page(links + "\n"))
    elif kind == "headings":
        (content / "pasted.md").write_text(page("# Same\n\nText.\n\n" * COUNT))
    else:
        for i in range(10_000):
            (content / "articles" / f"a{i}.md").write_text(
                page(f"See [the old page](@/articles/old-{i}.md).\n")
            )
    return site


def run(grove, command, site, timeout):
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-v", grove, command, "--root", str(site)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"stopped after {timeout} s", "", "", ""
    usage = done.stderr[done.stderr.rfind("\tCommand being timed") :]
    said = done.stdout + done.stderr[: len(done.stderr) - len(usage)]
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", usage)
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", usage)[1])
    status = re.search(r"Exit status: (\d+)", usage)
    return f"{seconds:.2f} s", f"{peak / 1024:.0f} MB", str(said.count("\n")), status[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grove", default=str(REPO / "target/release/grove"))
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--bombs", default="links,headings,site")
    args = parser.parse_args()
    print("| bomb | command | time | peak RSS | lines printed | exit |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.bombs.split(","):
            site = make(kind, Path(tmp))
            for command in ["build", "check"]:
                figures = run(args.grove, command, site, args.timeout)
                print(f"| {kind} | {command} | " + " | ".join(figures) + " |")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
