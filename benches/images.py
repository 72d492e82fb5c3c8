#!/usr/bin/env python3
"""Picture benchmark: grove's resize_image beside Zola's resize_image and Hugo's .Resize,
on the same phone photos, three widths each (480, 800, 1200) as WebP, in one run.

    python3 benches/images.py [--photos 20] [--runs 3] [--source photo.jpg]

The photos are copies of one real photograph (--source; by default lake.jpg, 4000 x 2250,
shipped with the `webp` crate in the cargo registry), each given by exiftool what a phone
writes: orientation "rotate 90" on every other one, a GPS position, a camera model, and its
own date (so that each copy has its own bytes). For each tool: a first build (its cache
and output removed), then a second build with nothing changed. grove's second build is
compared with the same site without the photos page. Then the page weights a phone at
390 px (DPR 2) downloads from grove's output: a team page with 11 phone photos and an
article with 9, each picture chosen from its srcset as a browser does. And whether any
published picture holds GPS or camera tags (exiftool).

Needs: python3, exiftool (Debian: libimage-exiftool-perl), hugo (Debian: hugo), cargo.
Zola: `zola` on the PATH, ZOLA=/path, or the xz-compressed binary of the benchmark kit.
"""

import argparse
import glob
import lzma
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
WIDTHS = [480, 800, 1200]
SECOND_RUNS = 15


def sh(cmd, cwd=None):
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)


def timed(cmd, cwd):
    start = time.perf_counter()
    sh(cmd, cwd)
    return time.perf_counter() - start


def make_photos(source, n, out):
    out.mkdir(parents=True)
    names = []
    for i in range(n):
        name = f"photo-{i:02d}.jpg"
        sh(["exiftool", "-q", "-o", str(out / name),
            f"-Orientation#={6 if i % 2 else 1}", "-GPSLatitude=37.8044", "-GPSLatitudeRef=N",
            "-GPSLongitude=122.2712", "-GPSLongitudeRef=W", "-Make=Google", "-Model=Pixel 7",
            f"-DateTimeOriginal=2025:01:{i + 1:02d} 10:00:00", str(source)])
        names.append(name)
    return names


def find_zola(work):
    zola = os.environ.get("ZOLA") or shutil.which("zola")
    if zola:
        return zola
    for bench in [REPO.parent / "shared" / "bench", REPO / "shared" / "bench"]:
        packed = sorted((bench / "bin").glob("zola-*.xz"))
        if packed:
            target = work / "zola-bin"
            target.write_bytes(lzma.decompress(packed[-1].read_bytes()))
            target.chmod(0o755)
            return str(target)
    return None


def grove_site(root, photos, names, with_photos=True, team=0, article=0, copy_photos=True):
    for part in ["content", "themes"]:
        shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "config.toml", root / "config.toml")
    if copy_photos:
        shutil.copytree(photos, root / "static" / "photos")
    (root / "templates").mkdir()
    if with_photos:
        listed = ", ".join(f'"/photos/{n}"' for n in names)
        (root / "content" / "photos.md").write_text(
            f'+++\ntitle = "Photos"\ntemplate = "photos.html"\n[extra]\nphotos = [{listed}]\n+++\n')
        (root / "templates" / "photos.html").write_text(
            "{% for p in page.extra.photos %}{% for w in [480, 800, 1200] %}"
            "{% set r = resize_image(path=p, width=w, op=\"fit_width\", format=\"webp\") %}"
            "<img src=\"{{ r.url }}\">{% endfor %}{% endfor %}\n")
    for i in range(team):
        (root / "content" / "team" / f"bench-person-{i:02d}.md").write_text(
            f'+++\nname = "Bench Person {i:02d}"\nrole = "Benchmark fixture"\nweight = {900 + i}\n'
            f'photo = "/photos/{names[i % len(names)]}"\n+++\n\nA benchmark fixture.\n')
    if article:
        body = "\n\n".join(f"![Photo {i}](/photos/{names[i % len(names)]})" for i in range(article))
        (root / "content" / "articles" / "bench-photos.md").write_text(
            f'+++\ntitle = "Bench photos"\ndate = 2025-01-01\n+++\n\n{body}\n')


def zola_site(root, photos, names):
    shutil.copytree(photos, root / "static" / "photos")
    (root / "content").mkdir()
    (root / "templates").mkdir()
    (root / "config.toml").write_text('base_url = "https://example.org"\n')
    loop = "".join(
        f'{{% set r = resize_image(path="photos/{n}", width={w}, op="fit_width", format="webp") %}}'
        '<img src="{{ r.url }}">' for n in names for w in WIDTHS)
    (root / "templates" / "index.html").write_text(loop + "\n")


def hugo_site(root, photos, names):
    shutil.copytree(photos, root / "assets" / "photos")
    (root / "layouts").mkdir()
    (root / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n')
    (root / "layouts" / "index.html").write_text(
        '{{ range resources.Match "photos/*.jpg" }}{{ $r := . }}'
        '{{ range slice 480 800 1200 }}{{ with $r.Resize (printf "%dx webp" .) }}'
        '<img src="{{ .RelPermalink }}">{{ end }}{{ end }}{{ end }}\n')


def clear(root, tool):
    for d in {"grove": [".grove-cache", "public", ".public.grove"],
              "zola": ["public", "static/processed_images", ".zola-cache"],
              "hugo": ["public", "resources"]}[tool]:
        shutil.rmtree(root / d, ignore_errors=True)


def chosen_bytes(public, html, viewport=390, dpr=2):
    """Bytes of the pictures a phone downloads for `html`: per <picture>, the WebP
    candidate a browser picks (x: the 2x one; w: the smallest at least viewport * dpr)."""
    total = 0
    for srcset in re.findall(r'<source type="image/webp" srcset="([^"]+)"', html):
        cands = [c.strip().rsplit(" ", 1) for c in srcset.split(",")]
        if len(cands) == 1 and len(cands[0]) == 1:
            pick = cands[0][0]
        elif cands[0][1].endswith("x"):
            fits = [c for c in cands if float(c[1][:-1]) <= dpr]
            pick = max(fits, key=lambda c: float(c[1][:-1]))[0]
        else:
            need = viewport * dpr
            ws = sorted(cands, key=lambda c: int(c[1][:-1]))
            pick = next((c[0] for c in ws if int(c[1][:-1]) >= need), ws[-1][0])
        total += (public / pick.lstrip("/")).stat().st_size
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--source", default=None)
    args = ap.parse_args()
    source = args.source or next(iter(glob.glob(os.path.expanduser(
        "~/.cargo/registry/src/*/webp-0.3.1/assets/lake.jpg"))), None)
    if not source:
        sys.exit("no source photograph: pass --source photo.jpg")
    sh(["cargo", "build", "--release"], cwd=REPO)
    grove = str(REPO / "target" / "release" / "grove")
    work = Path(tempfile.mkdtemp(prefix="grove-images-"))
    photos = work / "photos"
    names = make_photos(Path(source), args.photos, photos)
    zola = find_zola(work)
    hugo = shutil.which("hugo")
    sites = {"grove": work / "grove", "zola": work / "zola", "hugo": work / "hugo"}
    grove_site(sites["grove"], photos, names)
    bare = work / "grove-bare"
    # The same site without the photos at all (photos nothing shows would be published
    # as they are, stripped of their metadata: work the comparison must not count).
    grove_site(bare, photos, names, with_photos=False, copy_photos=False)
    zola_site(sites["zola"], photos, names)
    hugo_site(sites["hugo"], photos, names)
    cmds = {"grove": [grove, "build"], "zola": [zola, "build"] if zola else None,
            "hugo": [hugo, "--quiet"] if hugo else None}
    print(f"{args.photos} photos of {source} ({Path(source).stat().st_size} bytes), "
          f"widths {WIDTHS} as WebP, median of {args.runs} (second builds: of {SECOND_RUNS * args.runs})")
    results = {}
    for tool, cmd in cmds.items():
        if not cmd:
            print(f"{tool}: not found, skipped")
            continue
        first, second = [], []
        for _ in range(args.runs):
            clear(sites[tool], tool)
            first.append(timed(cmd, sites[tool]))
            # A second build takes tens of milliseconds: many of them, for a median that holds.
            second.extend(timed(cmd, sites[tool]) for _ in range(SECOND_RUNS))
        results[tool] = (statistics.median(first), statistics.median(second))
        print(f"{tool:6} first build {results[tool][0]:7.2f} s   second build {results[tool][1]:6.3f} s")
    sh([grove, "build"], cwd=bare)
    bare_second = statistics.median(timed([grove, "build"], bare) for _ in range(SECOND_RUNS * args.runs))
    print(f"grove without the photos page, second build {bare_second:.3f} s")
    anchors = [results[t][0] for t in ("zola", "hugo") if t in results]
    if "grove" in results and anchors:
        print(f"ratio: grove first build / faster anchor = {results['grove'][0] / min(anchors):.2f} (goal <= 0.5)")
        print(f"ratio: grove second build / without photos = {results['grove'][1] / bare_second:.2f} (goal <= 1.10)")

    weights = work / "grove-weights"
    grove_site(weights, photos, names, with_photos=False, team=11, article=9)
    sh([grove, "build"], cwd=weights)
    public = weights / "public"
    team = chosen_bytes(public, (public / "team" / "index.html").read_text())
    article = chosen_bytes(public, (public / "articles" / "bench-photos" / "index.html").read_text())
    print(f"team page, 11 phone photos, 390 px DPR 2: {team / 1024:.0f} KB of pictures (goal < 400 KB)")
    print(f"article, 9 phone photos, 390 px DPR 2: {article / 1024:.0f} KB of pictures (goal < 1,200 KB)")
    tags = sh(["exiftool", "-r", "-q", "-s", "-GPSLatitude", "-Model", str(public)]).stdout
    print("published files with GPS or camera tags:", "none" if not tags.strip() else tags)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
