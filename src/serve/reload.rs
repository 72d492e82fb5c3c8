//! Live reload: Server-Sent Events to every open tab, and the small script that listens.

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

/// How many tabs may listen at once; each holds a connection thread, so the number is bounded.
pub const MAX_CLIENTS: usize = 256;

/// Keeps idle connections alive through proxies and lets dead ones be noticed.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// The open event streams.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<SyncSender<String>>>,
}

impl Hub {
    /// Turns a connection into an event stream: sends `hello`, then every broadcast, until
    /// the tab goes away. Runs on the connection's own thread. When too many tabs are
    /// already listening the request is answered 503 instead.
    pub fn serve(&self, writer: &mut impl Write, hello: String) {
        let (tx, rx) = sync_channel::<String>(16);
        {
            let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            clients.retain(|c| !is_closed(c));
            if clients.len() >= MAX_CLIENTS {
                let _ = writer.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            clients.push(tx);
        }
        stream(writer, rx, hello);
    }

    /// Sends one event to every tab; a tab that is too far behind or gone is dropped.
    pub fn broadcast(&self, event: &str, data: &str) {
        let message = format_event(event, data);
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|c| {
            !matches!(
                c.try_send(message.clone()),
                Err(TrySendError::Disconnected(_))
            )
        });
    }

    /// How many tabs are listening.
    pub fn count(&self) -> usize {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients.retain(|c| !is_closed(c));
        clients.len()
    }
}

fn is_closed(c: &SyncSender<String>) -> bool {
    // An empty comment line is ignored by browsers; sending it only probes the channel.
    matches!(
        c.try_send(String::new()),
        Err(TrySendError::Disconnected(_))
    )
}

fn stream(writer: &mut impl Write, rx: Receiver<String>, hello: String) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.write_all(hello.as_bytes()))
        .and_then(|_| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let message = match rx.recv_timeout(HEARTBEAT) {
            Ok(m) if m.is_empty() => continue,
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(message.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

/// One SSE message; `data` may span lines.
pub fn format_event(event: &str, data: &str) -> String {
    let mut out = format!("event: {event}\n");
    for line in data.lines() {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The script injected into served pages (never into `grove build` output).
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  var build = null, box = null;
  function show(message) {
    if (!box) {
      box = document.createElement("div");
      box.id = "grove-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:70vh;overflow:auto;z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#2b0b0b;color:#ffecec;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;border-top:4px solid #ff6b6b;box-shadow:0 -4px 24px rgba(0,0,0,.4)";
    }
    box.textContent = "grove could not rebuild the site. This page shows the last version that built.\n\n" + message;
    if (!box.isConnected) document.body.appendChild(box);
  }
  function here() {
    var path = location.pathname;
    try { path = decodeURIComponent(path); } catch (err) { /* keep it as sent */ }
    return path.replace(/index\.html$/, "");
  }
  function hide() { if (box && box.isConnected) box.remove(); }
  function swapStylesheets() {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (old) {
      var url = new URL(old.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("grove-reload", String(Date.now()));
      var fresh = old.cloneNode();
      fresh.href = url.href;
      fresh.onload = fresh.onerror = function () { old.remove(); };
      old.after(fresh);
    });
  }
  function connect() {
    var events = new EventSource("/__grove/events");
    events.addEventListener("hello", function (e) {
      var d = JSON.parse(e.data);
      if (build === null) build = d.build;
      else if (d.build !== build) { location.reload(); return; }
      if (d.error) show(d.error); else hide();
    });
    events.addEventListener("reload", function (e) {
      var d = JSON.parse(e.data);
      // A rebuild names the pages whose output changed; others stay as they are.
      if (!d.paths || d.paths.indexOf(here()) >= 0) { location.reload(); return; }
      build = d.build;
      hide();
    });
    events.addEventListener("css", function (e) { build = JSON.parse(e.data).build; hide(); swapStylesheets(); });
    events.addEventListener("build-error", function (e) { show(JSON.parse(e.data).message); });
    events.onerror = function () { events.close(); setTimeout(connect, 1000); };
  }
  connect();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_put_each_line_in_its_own_data_field() {
        assert_eq!(format_event("reload", "{}"), "event: reload\ndata: {}\n\n");
        assert_eq!(format_event("x", "a\nb"), "event: x\ndata: a\ndata: b\n\n");
    }
}
