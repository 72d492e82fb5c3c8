#!/usr/bin/env python3
"""What slow and hostile clients cost `grove serve`, on 127.0.0.1 only, bounded in count
and time; it stops by itself.

Starts `grove serve --port 0` on a temporary copy of the site (config.toml, content/,
themes/) with a 20 MB file in static/, then measures, one after another:

1. 600 connections that each send half a request head and then nothing: how many the
   server holds, how long a page request takes meanwhile, and how long until the server
   has closed every half-sent connection (408 at the 10 s head deadline, or closed early
   to make room);
2. 40 clients that ask for the 20 MB file with a 4 KB receive buffer and read nothing:
   the server's resident memory before, while they wait, and after they have gone;
3. requests naming another host (DNS rebinding): answered 421, never the page.

Prints a Markdown table (docs/reliability.md) and exits 1 if a page request failed.

    cargo build --release && python3 scripts/hostile-clients.py [--grove PATH]
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def threads(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def get(port, path, host=None, timeout=10):
    """One request on a fresh connection: (status, body bytes, seconds)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grove", default=os.path.join(REPO, "target", "release", "grove"))
    ap.add_argument("--half", type=int, default=600)
    ap.add_argument("--readers", type=int, default=40)
    ap.add_argument("--bodies", type=int, default=300)
    o = ap.parse_args()

    work = tempfile.mkdtemp(prefix="grove-hostile-")
    failures = []
    proc = None
    try:
        site = os.path.join(work, "site")
        os.makedirs(site)
        for name in ["config.toml", "content", "themes"]:
            src = os.path.join(REPO, name)
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(site, name))
        os.makedirs(os.path.join(site, "static"), exist_ok=True)
        with open(os.path.join(site, "static", "big.bin"), "wb") as f:
            f.write(os.urandom(20 * 1024 * 1024))
        proc = subprocess.Popen([o.grove, "serve", "--port", "0"], cwd=site, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        port = editor = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            m = re.match(r"serving at http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
            m = re.match(r"editor at http://127\.0\.0\.1:(\d+)/", line)
            if m:
                editor = int(m.group(1))
        # Older builds served the editor on the preview's port.
        editor = editor or port
        if port is None:
            raise SystemExit("grove serve printed no address")
        page = "/articles/ketamine-assisted-psychotherapy/"
        rows = []

        # 1. half-sent heads
        base_threads = threads(proc.pid)
        held = []
        for _ in range(o.half):
            s = socket.create_connection(("127.0.0.1", port), timeout=15)
            s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
            held.append(s)
        time.sleep(0.5)
        status, _, took = get(port, page)
        if status != 200:
            failures.append(f"page during half-sent heads: {status}")
        holding = threads(proc.pid) - base_threads
        start = time.monotonic()
        answered_408 = closed = 0
        for s in held:
            s.settimeout(max(0.1, 15 - (time.monotonic() - start)))
            try:
                data = s.recv(100)
            except (socket.timeout, OSError):
                data = b""
            if data.startswith(b"HTTP/1.1 408"):
                answered_408 += 1
            closed += 1
            s.close()
        cleared = time.monotonic() - start + 0.5
        rows.append(("half-sent request heads opened", f"{o.half}"))
        rows.append(("connection threads the server held for them", f"{holding}"))
        rows.append(("a page request meanwhile", f"{status}, {took * 1000:.0f} ms"))
        rows.append(("answered 408 at the head deadline / closed early for room",
                     f"{answered_408} / {closed - answered_408}"))
        rows.append(("until the last of them was closed", f"{cleared:.1f} s"))

        # 2. slow readers of a large file
        time.sleep(1)
        before = rss_mib(proc.pid)
        readers = []
        for _ in range(o.readers):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
            s.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            s.recv(1)
            readers.append(s)
        time.sleep(2)
        during = rss_mib(proc.pid)
        status, _, took = get(port, page)
        if status != 200:
            failures.append(f"page during slow readers: {status}")
        for s in readers:
            s.close()
        time.sleep(2)
        after = rss_mib(proc.pid)
        rows.append((f"RSS before / with {o.readers} slow readers of a 20 MB file / after",
                     f"{before:.0f} / {during:.0f} / {after:.0f} MiB"))
        rows.append(("a page request with the slow readers", f"{status}, {took * 1000:.0f} ms"))

        # 3. another host's name
        statuses = set()
        for host in ["evil.example", f"evil.example:{port}", f"rebind.example:{port}"]:
            status, body, _ = get(port, page, host=host)
            statuses.add(status)
            if b"Ketamine" in body:
                failures.append(f"Host {host} got the page")
        rows.append(("requests naming another host", ", ".join(str(s) for s in sorted(statuses))))

        # 4. large editing requests without the key
        before = rss_mib(proc.pid)
        body = b"x" * (10 * 1024 * 1024)
        peak = [before]
        answered = []

        def upload():
            try:
                s = socket.create_connection(("127.0.0.1", editor), timeout=30)
                s.sendall((f"POST /__grove/api/upload?name=x.png&alt=x HTTP/1.1\r\nHost: 127.0.0.1:{editor}\r\n"
                           f"Origin: http://127.0.0.1:{editor}\r\nContent-Length: {len(body)}\r\n\r\n").encode())
                try:
                    s.sendall(body)
                except OSError:
                    pass  # refused and closed before the body was read
                answered.append(s.recv(12)[9:12].decode() or "closed")
                s.close()
            except OSError as e:
                answered.append(type(e).__name__)

        workers = [threading.Thread(target=upload) for _ in range(o.bodies)]
        start = time.monotonic()
        for w in workers:
            w.start()
        page_status = None
        while any(w.is_alive() for w in workers) and time.monotonic() - start < 120:
            peak.append(rss_mib(proc.pid))
            if page_status is None:
                page_status, _, took = get(port, page)
            time.sleep(0.05)
        for w in workers:
            w.join(timeout=1)
        spent = time.monotonic() - start
        rows.append((f"{o.bodies} POSTs of 10 MB without the key: RSS before / peak",
                     f"{before:.0f} / {max(peak):.0f} MiB"))
        rows.append(("their answers", ", ".join(f"{a} x{answered.count(a)}" for a in sorted(set(answered)))))
        rows.append(("a page request meanwhile / all answered in", f"{page_status}, {took * 1000:.0f} ms / {spent:.1f} s"))
        if page_status != 200:
            failures.append(f"page during unauthenticated bodies: {page_status}")

        print("| | |\n| --- | ---: |")
        for k, v in rows:
            print(f"| {k} | {v} |")
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAILED: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
