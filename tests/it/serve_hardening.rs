//! `grove serve` against what a page on another site, a slow or hostile client, or a
//! starved machine can do: a foreign `Host` (DNS rebinding), a foreign `Origin`, half-sent
//! requests by the hundred, ambiguous request heads, large unread bodies, byte ranges,
//! slow readers of a large file, and too few file descriptors. Real HTTP on 127.0.0.1;
//! every loop is bounded in count and time.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::harness::{ARTICLE_URL, DEADLINE, Serve, SiteTest, eventually, parse_response};

/// Sends `raw` as it is and reads until the server closes (or `DEADLINE`).
fn raw_exchange(port: u16, raw: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(raw).unwrap();
    let mut out = Vec::new();
    // A reset after the answer still leaves the answer in `out`; what matters is that it came.
    let mut chunk = [0u8; 8192];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    out
}

fn status_of(raw: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(raw);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

#[test]
fn only_the_previews_own_addresses_are_answered() {
    let site = SiteTest::serve_fixture();
    site.write(
        "content/articles/unfinished.md",
        "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\n\nA draft nobody else may read.\n",
    );
    let serve = site.serve_with(&["--drafts"]);
    let port = serve.port;
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1:1",
        "10.0.0.1:80",
    ] {
        let r = serve.send(&format!(
            "GET /articles/unfinished/ HTTP/1.1\r\nHost: {host}\r\n"
        ));
        assert_eq!(r.status, 421, "{host}");
        assert!(!r.text().contains("A draft nobody else may read"), "{host}");
        assert!(
            r.text().contains(&format!("127.0.0.1:{port}")),
            "{}",
            r.text()
        );
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let r = serve.send(&format!(
            "GET /articles/unfinished/ HTTP/1.1\r\nHost: {host}\r\n"
        ));
        assert_eq!(r.status, 200, "{host}");
    }
    let r = serve.send("GET / HTTP/1.1\r\n");
    assert_eq!(r.status, 400, "HTTP/1.1 without Host");
}

#[test]
fn live_reload_refuses_pages_of_other_sites() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.host();
    let handshake = |origin: &str| {
        let raw = raw_exchange(
            serve.port,
            format!(
                "GET /__grove/live HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
            )
            .as_bytes(),
        );
        status_of(&raw)
    };
    assert_eq!(handshake("http://evil.example"), 403);
    assert_eq!(handshake(&format!("http://{host}")), 101);
    // Not a WebSocket request, and HEAD: an answer that ends, never a stream that hangs.
    let start = Instant::now();
    let r = serve.send(&format!("HEAD /__grove/live HTTP/1.1\r\nHost: {host}\r\n"));
    assert_eq!(r.status, 426);
    assert!(start.elapsed() < DEADLINE);
}

#[test]
fn six_hundred_half_sent_requests_do_not_lock_out_a_page_request() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.host();
    let mut held = Vec::new();
    for _ in 0..600 {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", serve.port)) else {
            break;
        };
        let _ = write!(s, "GET / HTTP/1.1\r\nHost: {host}\r\n");
        held.push(s);
    }
    assert!(held.len() >= 550, "only {} connections opened", held.len());
    let start = Instant::now();
    let r = serve.get(ARTICLE_URL);
    assert_eq!(r.status, 200);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    drop(held);
}

#[test]
fn a_head_sent_a_byte_at_a_time_is_cut_off_with_408() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let trickle = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: {}",
        serve.host(),
        "a".repeat(40)
    );
    let start = Instant::now();
    let mut answer = Vec::new();
    for byte in trickle.bytes().cycle() {
        // 15 s at most: well past the 10 s deadline, and a bound on the loop.
        assert!(start.elapsed() < Duration::from_secs(15), "no 408 in time");
        if stream.write_all(&[byte]).is_err() {
            break;
        }
        let mut chunk = [0u8; 1024];
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => {} // nothing yet
        }
        if answer.ends_with(b"\n") && answer.len() > 12 {
            break;
        }
    }
    assert_eq!(status_of(&answer), 408);
    assert!(
        start.elapsed() >= Duration::from_secs(9),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn ambiguous_or_oversized_heads_get_a_status_line_not_a_reset() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let host = serve.host();
    let cases: Vec<(String, u16)> = vec![
        (
            format!(
                "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
            ),
            400,
        ),
        (
            format!("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: +5\r\n\r\nhello"),
            400,
        ),
        (
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-A: one\r\n two\r\n\r\n"),
            400,
        ),
        (format!("GET / HTTP/2.0\r\nHost: {host}\r\n\r\n"), 505),
        (
            format!(
                "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n",
                "b".repeat(64 * 1024)
            ),
            431,
        ),
    ];
    for (raw, want) in cases {
        let answer = raw_exchange(serve.port, raw.as_bytes());
        assert_eq!(status_of(&answer), want, "{}", &raw[..raw.len().min(80)]);
    }
}

#[test]
fn a_body_still_arriving_after_a_refusal_does_not_swallow_the_answer() {
    let site = SiteTest::serve_fixture();
    let serve = site.serve();
    let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let length = 300 * 1024;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Length: {length}\r\n\r\n",
        serve.host()
    )
    .unwrap();
    // The server answers at once; the body is still on its way, as from a slow uplink.
    std::thread::sleep(Duration::from_millis(100));
    for _ in 0..10 {
        stream
            .write_all(&vec![b'x'; length / 10])
            .expect("the server reset the connection while the body was still coming");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the answer was lost to a reset");
    assert_eq!(status_of(&answer), 405);
    assert_eq!(parse_response(&answer).header("Allow"), Some("GET, HEAD"));
}

#[test]
fn static_files_answer_byte_ranges() {
    let site = SiteTest::serve_fixture();
    let video: Vec<u8> = (0..400_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::create_dir_all(site.path("static/media")).unwrap();
    std::fs::write(site.path("static/media/clip.mp4"), &video).unwrap();
    let serve = site.serve();
    let host = serve.host();
    let get = |range: &str| {
        serve.send(&format!(
            "GET /media/clip.mp4 HTTP/1.1\r\nHost: {host}\r\nRange: {range}\r\n"
        ))
    };
    let whole = serve.get("/media/clip.mp4");
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("Accept-Ranges"), Some("bytes"));
    assert_eq!(whole.body, video);

    let r = get("bytes=0-9");
    assert_eq!(r.status, 206);
    assert_eq!(r.header("Content-Range"), Some("bytes 0-9/400000"));
    assert_eq!(r.body, &video[..10]);
    let r = get("bytes=399990-");
    assert_eq!((r.status, r.body.as_slice()), (206, &video[399_990..]));
    let r = get("bytes=-5");
    assert_eq!((r.status, r.body.as_slice()), (206, &video[399_995..]));
    let r = get("bytes=400000-");
    assert_eq!(r.status, 416);
    assert_eq!(r.header("Content-Range"), Some("bytes */400000"));
    // A rendered page answers ranges too (a browser resuming a download).
    let r = serve.send(&format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nRange: bytes=0-14\r\n"
    ));
    assert_eq!((r.status, r.text().as_str()), (206, "<!DOCTYPE html>"));
}

/// Resident memory of a process, from /proc.
#[cfg(target_os = "linux")]
fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib / 1024
}

#[cfg(target_os = "linux")]
#[test]
fn forty_slow_readers_of_a_large_file_do_not_hold_it_in_memory() {
    let site = SiteTest::serve_fixture();
    let big: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::fs::write(site.path("static/big.bin"), &big).unwrap();
    drop(big);
    let serve = site.serve();
    let host = serve.host();
    let before = rss_mib(serve.child.id());
    let readers: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
            write!(s, "GET /big.bin HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
            s
        })
        .collect();
    // Every reader has its answer started: its first bytes arrived.
    for mut s in &readers {
        let mut first = [0u8; 16];
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        s.read_exact(&mut first).unwrap();
        assert_eq!(&first[..9], b"HTTP/1.1 ");
    }
    std::thread::sleep(Duration::from_millis(300));
    let during = rss_mib(serve.child.id());
    for s in &readers {
        let _ = s.shutdown(Shutdown::Both);
    }
    // 40 copies of 20 MiB would be 800 MiB; streaming keeps a buffer per reader.
    assert!(
        during < before + 120,
        "RSS went from {before} MiB to {during} MiB"
    );
}

/// Runs `grove serve` in `site` under a shell that sets the open-file limits first.
#[cfg(target_os = "linux")]
fn serve_with_limits(site: &SiteTest, ulimit: &str) -> Serve {
    Serve::spawn(
        std::process::Command::new("sh")
            .current_dir(site.root())
            .arg("-c")
            .arg(format!("{ulimit} && exec \"$0\" serve --port 0"))
            .arg(env!("CARGO_BIN_EXE_grove")),
    )
}

#[cfg(target_os = "linux")]
fn open_file_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .to_string();
    let mut numbers = line.split_whitespace().skip(3);
    (
        numbers.next().unwrap().to_string(),
        numbers.next().unwrap().to_string(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn the_soft_open_file_limit_is_raised_to_the_hard_one() {
    let site = SiteTest::serve_fixture();
    let serve = serve_with_limits(&site, "ulimit -S -n 256 && ulimit -H -n 4096");
    let (soft, hard) = open_file_limits(serve.child.id());
    assert_eq!(hard, "4096");
    assert_eq!(soft, hard, "the soft limit stayed at {soft}");
}

#[cfg(target_os = "linux")]
#[test]
fn out_of_file_descriptors_a_file_is_503_never_404() {
    let site = SiteTest::serve_fixture();
    let serve = serve_with_limits(&site, "ulimit -n 48");
    let host = serve.host();
    // One connection of the tab's, kept open.
    let mut probe = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    probe.set_read_timeout(Some(DEADLINE)).unwrap();
    let ask = |probe: &mut TcpStream| {
        write!(probe, "GET /css/site.css HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        let mut chunk = [0u8; 65536];
        loop {
            let n = probe.read(&mut chunk).unwrap();
            assert!(n > 0, "the connection closed");
            raw.extend_from_slice(&chunk[..n]);
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let r = parse_response(&raw);
                let length: usize = r.header("Content-Length").unwrap().parse().unwrap();
                if raw.len() >= end + 4 + length {
                    return r.status;
                }
            }
        }
    };
    assert_eq!(ask(&mut probe), 200);
    // Then every descriptor the server has left goes to idle connections.
    let mut idle = Vec::new();
    for _ in 0..60 {
        idle.push(TcpStream::connect(("127.0.0.1", serve.port)).unwrap());
    }
    let status = eventually("a 503 while out of descriptors", || {
        let s = ask(&mut probe);
        assert_ne!(s, 404, "a file that exists answered 404");
        (s == 503).then_some(s)
    });
    assert_eq!(status, 503);
    drop(idle);
    eventually("the file to be served again", || {
        (ask(&mut probe) == 200).then_some(())
    });
}

#[cfg(unix)]
#[test]
fn the_preview_refuses_a_link_out_of_the_site_as_the_build_does() {
    let site = SiteTest::serve_fixture();
    std::fs::write(site.outside().join("secret.txt"), "SECRET-OUTSIDE").unwrap();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink(
        site.outside().join("secret.txt"),
        site.path("static/leak.txt"),
    )
    .unwrap();
    // The build's own message (pinned in error_messages.rs), on the preview's error page.
    let said = site.build_fails();
    let message = said
        .strip_prefix("error: ")
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    let serve = site.serve();
    let page = serve.get("/");
    assert_eq!(page.status, 500);
    let shown = site.normalize(&page.text());
    assert!(shown.contains(message), "{message}\nis not in\n{shown}");
    assert!(!serve.get("/leak.txt").text().contains("SECRET-OUTSIDE"));
}
