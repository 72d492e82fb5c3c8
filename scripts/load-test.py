#!/usr/bin/env python3
"""Load test for `grove serve`, on 127.0.0.1 only, bounded in time, stops by itself.

Starts `grove serve --port 0` on a temporary copy of the site (config.toml, content/,
themes/), then for --seconds (default 30):

- --connections (64) keep-alive clients request pages, the search index and a missing
  page in a loop;
- one article is saved every --save-every seconds (0.1), alternately in place and by
  writing a temporary file and renaming it over the article, as editors do;
- --listeners (100) live-reload connections (WebSocket, /__grove/live) fetch
  the article each time they receive a `reload` event;
- from a fifth of the way in, --slow (40) clients ask for a 5 MB page and read it one
  byte a second.

--rounds repeats all of it on the same server, to show whether memory grows.

Stale content, precisely. Build numbers are the server's clock in milliseconds when a
build is published, and a rebuild publishes first the pages it re-read (an event whose
`paths` lists the article, or `paths: null` for everything), then the rest. A rebuild
reads the files before its first event, and rebuilds run one after another, so of two
such first events that are both later than the moment save N was written, the second
comes from a rebuild that started after the write and read save N or a later one: that
event is "the reload event for save N", with build number B(N). A listener that receives
a reload event with build number B and then fetches the article must see a marker
>= max{N : B(N) <= B}; a fetch that shows less is stale. (The saver does not wait for
the server between saves: it saves every --save-every seconds.)

Prints the figures for each round (requests, failures, latencies with and without the
slow readers, stale fetches, rebuilds, the server's memory from /proc/<pid>/status before,
during and after) and exits 1 if any request failed, any fetch was stale, the server
died, or the page does not end on the last save.

    cargo build --release && python3 scripts/load-test.py
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from live_socket import LiveSocket  # scripts/live_socket.py

ARTICLE = "content/articles/load-test.md"
ARTICLE_URL = "/articles/load-test/"
BIG_URL = "/articles/load-test-big/"
MARKER = re.compile(rb"MARKER-(\d{6})")
TRACE = []  # (time, what, ...) for --trace
SOCKETS = []  # long-lived client sockets, closed at the end so the server's memory can settle


def article(n):
    return (
        '+++\ntitle = "Load test"\ndate = 2020-01-01\n'
        'description = "A page saved again and again."\n+++\n'
        f"This page was saved for the MARKER-{n:06d} time.\n"
    )


def make_site(repo, tmp):
    site = os.path.join(tmp, "site")
    os.makedirs(site)
    shutil.copy(os.path.join(repo, "config.toml"), site)
    for folder in ("content", "themes", "static"):
        if os.path.isdir(os.path.join(repo, folder)):
            shutil.copytree(os.path.join(repo, folder), os.path.join(site, folder))
    with open(os.path.join(site, ARTICLE), "w") as f:
        f.write(article(0))
    paragraph = "Breathe in, notice the breath, let the thought pass. " * 20 + "\n\n"
    with open(os.path.join(site, "content/articles/load-test-big.md"), "w") as f:
        f.write('+++\ntitle = "A long page"\ndate = 2019-01-01\n+++\n')
        f.write(paragraph * (5 * 1024 * 1024 // len(paragraph)))
    return site


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                fields[key] = value.strip()
    return fields


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.failures = []  # the first few, for the report
        self.failed = 0
        self.latencies = []  # (start, seconds)
        self.reloads = 0
        self.fetches = []  # (listener, build, marker)
        self.listener_errors = []

    def fail(self, what):
        with self.lock:
            self.failed += 1
            if len(self.failures) < 10:
                self.failures.append(what)


def http_get(conn, path):
    conn.request("GET", path)  # http.client sends Host: 127.0.0.1:PORT itself
    response = conn.getresponse()
    return response.status, response.read()


def worker(port, stop, stats):
    paths = [
        ("/", 200),
        ("/articles/", 200),
        (ARTICLE_URL, 200),
        ("/faq/", 200),
        ("/team/", 200),
        ("/search-index.json", 200),
        ("/no/such/page/", 404),
    ]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    while not stop.is_set():
        path, expected = paths[i % len(paths)]
        i += 1
        start = time.monotonic()
        try:
            status, body = http_get(conn, path)
        except Exception as e:  # noqa: BLE001 - any failure is counted
            stats.fail(f"{path}: {type(e).__name__}: {e}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = time.monotonic() - start
        ok = status == expected and (path != ARTICLE_URL or MARKER.search(body))
        with stats.lock:
            stats.requests += 1
            stats.latencies.append((start, elapsed))
        if not ok:
            stats.fail(f"{path}: status {status}, {len(body)} bytes")
    conn.close()


class EventStream:
    """A live-reload WebSocket; calls on_event(name, message) for each message."""

    def __init__(self, port, on_event, stop):
        self.socket = LiveSocket(port, timeout=60)
        SOCKETS.append(self.socket.sock)
        self.on_event = on_event
        self.stop = stop

    def run(self):
        try:
            for name, message in self.socket.messages():
                if self.stop.is_set():
                    return
                self.on_event(name, message)
        finally:
            self.socket.close()


def listener(index, port, stop, stats, ready):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def on_event(name, data):
        nonlocal conn
        if name != "reload":
            return
        build = data["build"]
        try:
            status, body = http_get(conn, ARTICLE_URL)
        except Exception as e:  # noqa: BLE001
            stats.fail(f"listener {index}: {type(e).__name__}: {e}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            return
        found = MARKER.search(body)
        if status != 200 or not found:
            stats.fail(f"listener {index}: status {status}")
            return
        with stats.lock:
            stats.reloads += 1
            stats.requests += 1
            stats.fetches.append((index, build, int(found.group(1))))
        TRACE.append((time.monotonic(), "fetch", index, build, int(found.group(1))))

    try:
        stream = EventStream(port, on_event, stop)
    except Exception as e:  # noqa: BLE001
        with stats.lock:
            stats.listener_errors.append(f"listener {index}: {e}")
        ready.release()
        return
    ready.release()
    stream.run()
    conn.close()


def saver(site, port, stop, save_every, saves, events, first, log):
    """Writes save 1, 2, ... every `save_every` seconds; records (n, when written in ms)
    in `saves` and every reload event (build, paths) it receives in `events`."""

    def on_event(name, data):
        if name == "reload":
            d = data
            events.append((d["build"], d.get("paths")))
            TRACE.append((time.monotonic(), "saver-event", data))

    stream = EventStream(port, on_event, stop)
    threading.Thread(target=stream.run, daemon=True).start()
    path = os.path.join(site, ARTICLE)
    temp = os.path.join(site, "content/articles/.load-test.md.tmp")
    n = first
    next_save = time.monotonic()
    while not stop.is_set():
        n += 1
        TRACE.append((time.monotonic(), "write", n))
        if n % 2:
            with open(path, "w") as f:
                f.write(article(n))
        else:
            with open(temp, "w") as f:
                f.write(article(n))
            os.replace(temp, path)
        saves.append((n, int(time.time() * 1000)))
        next_save += save_every
        stop.wait(max(0.0, next_save - time.monotonic()))
    log(f"saver stopped after save {n}")


def reload_builds(saves, events):
    """B(N) for each save that has one (see the module's docstring)."""
    firsts = sorted(b for b, paths in events if paths is None or ARTICLE_URL in paths)
    known = []
    for n, written in saves:
        later = [b for b in firsts if b > written + 2]
        if len(later) >= 2:
            known.append((later[1], n))
    return sorted(known)


def slow_reader(port, stop, received):
    """Asks for a 5 MB page with a tiny receive buffer and reads one byte a second."""
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        SOCKETS.append(sock)
        sock.settimeout(30)
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET {BIG_URL} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        while not stop.is_set():
            if not sock.recv(1):
                break
            received.append(1)
            stop.wait(1.0)
        sock.close()
    except OSError:
        pass


def latency(values):
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    return f"{len(values)} requests, p50 {ms(percentile(values, 0.5))}, p99 {ms(percentile(values, 0.99))}, max {ms(max(values, default=0))}"


def run_round(args, site, port, server, lines, errors, first, log):
    """One run of the load, saves numbered from first + 1; returns the figures."""
    idle_threads = int(memory(server.pid).get("Threads", "0"))
    SOCKETS.clear()
    stats = Stats()
    stop = threading.Event()
    threads = []
    ready = threading.Semaphore(0)
    for i in range(args.listeners):
        t = threading.Thread(target=listener, args=(i, port, stop, stats, ready), daemon=True)
        t.start()
        threads.append(t)
    for _ in range(args.listeners):
        ready.acquire(timeout=30)
    slow_bytes = []
    saves = []
    saver_events = []
    rebuilt_before = sum(1 for l in lines if l.startswith("rebuilt "))
    start_memory = memory(server.pid)
    began = time.monotonic()
    saver_thread = threading.Thread(
        target=saver,
        args=(site, port, stop, args.save_every, saves, saver_events, first, log),
        daemon=True,
    )
    saver_thread.start()
    for _ in range(args.connections):
        t = threading.Thread(target=worker, args=(port, stop, stats), daemon=True)
        t.start()
        threads.append(t)
    # The slow readers join after a fifth of the run, so that the page latency with
    # them can be compared with the latency without them.
    samples = [(0.0, memory(server.pid))]
    slow_from = began + args.seconds / 5
    time.sleep(args.seconds / 5)
    for _ in range(args.slow):
        t = threading.Thread(target=slow_reader, args=(port, stop, slow_bytes), daemon=True)
        t.start()
        threads.append(t)
    while time.monotonic() - began < args.seconds:
        time.sleep(min(5.0, args.seconds - (time.monotonic() - began)))
        samples.append((time.monotonic() - began, memory(server.pid)))
    stop.set()
    ran = time.monotonic() - began
    saver_thread.join(5)
    for sock in SOCKETS:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    give_up = time.monotonic() + 15
    for t in threads:
        t.join(max(0.0, give_up - time.monotonic()))

    # The last save must win, whatever the burst did.
    last = saves[-1][0] if saves else 0
    final = None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, body = http_get(conn, ARTICLE_URL)
        m = MARKER.search(body)
        final = int(m.group(1)) if m else None
        if final == last:
            break
        time.sleep(0.1)
    conn.close()
    # Let the server's connection threads notice that every client has gone (a connection
    # stuck writing to a slow reader ends at the server's write timeout).
    settle = time.monotonic() + 30
    while time.monotonic() < settle and int(memory(server.pid).get("Threads", "0")) > idle_threads:
        time.sleep(0.5)
    end_memory = memory(server.pid)
    alive = server.poll() is None

    # Stale fetches, as defined in the docstring.
    confirmed = reload_builds(saves, saver_events)
    stale = []
    for index, build, marker in stats.fetches:
        floor = 0
        for b, n in confirmed:
            if b <= build:
                floor = max(floor, n)
        if marker < floor:
            stale.append((index, build, marker, floor))
    rebuilds = sum(1 for l in lines if l.startswith("rebuilt ")) - rebuilt_before
    failures = stats.failed + len(stats.listener_errors)
    report = [
        f"ran {ran:.1f} s: {args.connections} connections, {args.listeners} live-reload listeners, {args.slow} slow readers",
        f"requests: {stats.requests} ({stats.requests / ran:.0f}/s), failed: {failures}",
        f"page latency without slow readers: {latency([e for t, e in stats.latencies if t < slow_from])}",
        f"page latency with {args.slow} slow readers: {latency([e for t, e in stats.latencies if t >= slow_from + 1])}",
        f"saves: {len(saves)}, with a known reload event: {len(confirmed)}, rebuilds logged: {rebuilds}",
        f"reload events received by listeners: {stats.reloads}, fetches after them: {len(stats.fetches)}, stale: {len(stale)}",
        f"last save {last}, page shows {final}",
        f"slow readers received {len(slow_bytes)} bytes in all",
        f"server memory before the round: {start_memory}",
        "server memory during the run (s: VmRSS, threads): "
        + ", ".join(f"{t:.0f}: {m.get('VmRSS')}, {m.get('Threads')}" for t, m in samples),
        f"server memory once every client had gone: {end_memory}",
        f"server still running: {alive}; error lines on its stderr: {sum(1 for e in errors if e.startswith('error'))}",
    ]
    details = [f"failure: {f}" for f in stats.failures]
    details += [f"failure: {f}" for f in stats.listener_errors[:10]]
    details += [f"server: {e}" for e in sorted(set(e for e in errors if e.startswith("error")))[:5]]
    details += [f"stale: listener {s[0]} saw build {s[1]} then marker {s[2]} < {s[3]}" for s in stale[:10]]
    if args.trace:
        with open(args.trace, "a") as f:
            for entry in sorted(TRACE, key=lambda e: e[0]):
                f.write(f"{entry[0] - began:9.3f} {entry[1:]}\n")
        TRACE.clear()
    ok = failures == 0 and not stale and final == last and alive
    return {"ok": ok, "last": last, "report": report, "details": details}


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grove", default=os.path.join(repo, "target/release/grove"))
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--listeners", type=int, default=100)
    parser.add_argument("--slow", type=int, default=40)
    parser.add_argument("--save-every", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the load; memory is read after each")
    parser.add_argument("--trace", help="write every save, event, fetch and log line here")
    args = parser.parse_args()
    log = lambda msg: print(msg, flush=True)  # noqa: E731

    tmp = tempfile.mkdtemp(prefix="grove-load-")
    server = None
    try:
        site = make_site(repo, tmp)
        server = subprocess.Popen(
            [args.grove, "serve", "--root", site, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        lines = []
        errors = []
        port_found = threading.Event()
        port = [0]

        def read_stdout():
            for raw in server.stdout:
                line = raw.decode(errors="replace").rstrip()
                lines.append(line)
                TRACE.append((time.monotonic(), "log", line))
                m = re.match(r"serving at http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    port[0] = int(m.group(1))
                    port_found.set()

        def read_stderr():
            for raw in server.stderr:
                errors.append(raw.decode(errors="replace").rstrip())

        threading.Thread(target=read_stdout, daemon=True).start()
        threading.Thread(target=read_stderr, daemon=True).start()
        if not port_found.wait(120):
            log("the server did not start:\n" + "\n".join(errors))
            return 1
        port = port[0]
        time.sleep(0.5)
        start_memory = memory(server.pid)
        log(f"grove serve pid {server.pid} on 127.0.0.1:{port}; at start: {start_memory}")

        results = []
        first = 0
        for round_number in range(1, args.rounds + 1):
            result = run_round(args, site, port, server, lines, errors, first, log)
            first = result["last"]
            results.append(result)
            log(f"round {round_number}:\n" + "\n".join(result["report"]))
            for line in result["details"]:
                log(f"  {line}")
        ok = all(r["ok"] for r in results)
        log("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
